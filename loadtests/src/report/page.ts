// The run's self-contained HTML page: the figures, a table and a chart per part of
// the report, with Chart.js inlined so that the file opens anywhere, offline.
import { fmt, headline, outcomeRows, type Report } from '../report.ts';
import { surgeRows } from '../surge/summary.ts';
import { chartData } from './chart-data.ts';
import { chartScripts } from './chart-script.ts';
import { escapeHtml, rowsHtml } from './html.ts';
import { faultRows } from './rows.ts';
import { cpuTable, soakSection, watchTable } from './sections.ts';

export function html(report: Report): string {
  const valid =
    report.oversold === 0 &&
    report.lost === 0 &&
    report.phantom === 0 &&
    (report.check?.valid ?? true) &&
    !report.failures?.length;
  const outcomes = outcomeRows(report.load);
  const cpu = report.cpu;
  const data = chartData(report, outcomes);
  const outcomeHeight = 60 + 30 * outcomes.length;
  const banner = valid
    ? 'Invariants hold'
    : report.failures?.length &&
        report.oversold + report.lost + report.phantom === 0 &&
        (report.check?.valid ?? true)
      ? 'FAILURES'
      : 'INVARIANT VIOLATION';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${report.scenario} — load test</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:80rem}.banner{padding:1rem;border-radius:.5rem;color:#fff;font-weight:600}
.ok{background:#1b7f3b}.bad{background:#b3261e}table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .8rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(24rem,1fr));gap:1.5rem}.wide{grid-column:1/-1}.note{color:#555;font-size:13px}
.box{position:relative}</style></head><body>
<h1>Load test: ${report.scenario}</h1>
<p>${report.startedAt} on ${escapeHtml(report.machine)}</p>
<div class="banner ${valid ? 'ok' : 'bad'}">${banner}: oversold ${report.oversold}, lost ${report.lost}, phantom ${report.phantom}${
    report.failures?.length ? `; ${report.failures.map(escapeHtml).join('; ')}` : ''
  }</div>
<table>
<tr><td>attempted</td><td>${report.attempted}</td></tr>
<tr><td>ok / failed / indeterminate</td><td>${report.ok} / ${report.failed} / ${report.indeterminate}</td></tr>
<tr><td>throughput</td><td><b>${escapeHtml(headline(report))}</b></td></tr>
${report.purchasesPerSecond !== undefined ? `<tr><td>requests answered</td><td>${fmt(report.throughput)} req/s</td></tr>` : ''}
<tr><td>latency p50 / p99</td><td>${report.p50Ms} / ${report.p99Ms} ms</td></tr>
<tr><td>reference</td><td>${report.reference ? `${escapeHtml(report.reference.name)}: ${report.reference.value.toFixed(1)}/s` : 'none'}</td></tr>
<tr><td>ratio</td><td>${report.ratio === null ? '-' : report.ratio.toFixed(3)}</td></tr>
<tr><td>limited by</td><td>${escapeHtml(report.limitedBy)}</td></tr>
</table>
<div class="charts">
${
  report.sales
    ? `<div class="wide"><h2>The sale: confirmed purchases/s and seats sold</h2><div class="box" style="height:22rem"><canvas id="sale"></canvas></div>
<p class="note">Confirmed purchases (2xx answers received) per ${report.sales.bucketSeconds} s bucket, as a rate, and the cumulative seats they sold; seconds since the load started.${
        report.sales.confirmedByRetry
          ? ` ${report.sales.confirmedByRetry} purchase(s) confirmed only by the retry after the load are not in the chart.`
          : ''
      }</p></div>`
    : '<div class="wide"><h2>Throughput over time</h2><div class="box" style="height:20rem"><canvas id="t"></canvas></div></div>'
}
${
  cpu
    ? `<div class="wide"><h2>CPU per process (cores)</h2><div class="box" style="height:24rem"><canvas id="cpu"></canvas></div>${cpuTable(cpu)}</div>`
    : ''
}
${(report.faults ?? [])
  .map(
    (f, i) =>
      `<div class="wide"><h2>Fault: ${escapeHtml(f.fault)} — ${f.failures.length ? 'FAILED' : 'passed'}</h2><table>${rowsHtml(faultRows(f))}</table><div class="box" style="height:16rem"><canvas id="fault${i}"></canvas></div>
<p class="note">Confirmed sales per second (${f.series.bucketMs} ms buckets) over this fault's load; the shaded band is the fault.</p></div>`,
  )
  .join('\n')}
${
  report.surge
    ? `<div class="wide"><h2>Surge: the waiting room</h2><table>${rowsHtml(surgeRows(report.surge))}</table><div class="box" style="height:20rem"><canvas id="admit"></canvas></div>
<p class="note">Admissions per minute in ${report.surge.timeline.bucketSeconds} s buckets from the opening: as the buyers saw them (their first admitted answer) and as the service made them due (from the tokens' expiry), against the configured rate.</p></div>`
    : ''
}
${report.soak ? soakSection(report.soak) : ''}
${report.watch ? `<div class="wide"><h2>Watch: stream subscribers</h2>${watchTable(report.watch)}</div><div><h2>Commit → subscriber latency</h2><div class="box" style="height:18rem"><canvas id="w"></canvas></div></div>` : ''}
<div><h2>Request latency percentiles</h2><div class="box" style="height:18rem"><canvas id="l"></canvas></div></div>
<div class="wide"><h2>Outcomes (all ${outcomes.length})</h2><div class="box" style="height:${outcomeHeight}px"><canvas id="o"></canvas></div>
<table><tr><th>outcome</th><th>requests</th></tr>${outcomes.map(([k, n]) => `<tr><td>${escapeHtml(k)}</td><td>${n}</td></tr>`).join('')}</table></div>
</div>
${chartScripts(data)}</body></html>
`;
}
