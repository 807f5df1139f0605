// Results of a run: JSON and a self-contained HTML page (Chart.js inlined) under
// loadtests/results/, and a summary table in the terminal.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { CheckReport } from '../lib/checker.ts';
import type { LoadResult } from './run-load.ts';

export interface Report {
  scenario: string;
  startedAt: string;
  machine: string;
  attempted: number;
  ok: number;
  failed: number;
  indeterminate: number;
  oversold: number;
  lost: number;
  phantom: number;
  throughput: number;
  p50Ms: number;
  p99Ms: number;
  reference: { name: string; value: number } | null;
  ratio: number | null;
  generatorCpuPercent: number[];
  limitedBy: string;
  details: Record<string, unknown>;
  load: LoadResult;
  check?: CheckReport;
}

export const resultsDir = process.env.TICKETS_LOADTEST_RESULTS || join(import.meta.dirname, '../results');

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Says what limited the figure: the generator when it used (almost) a whole core. */
export function limitedBy(load: LoadResult, system: string): string {
  const busiest = Math.max(...load.generatorCpuPercent);
  return busiest >= 85
    ? `the load generator (a generator process at ${busiest.toFixed(0)}% of a core)`
    : system;
}

export function writeReport(report: Report): { json: string; html: string } {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '-').replace(/\..*/, '');
  const base = join(resultsDir, `${report.scenario}-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${base}.html`, html(report));
  return { json: `${base}.json`, html: `${base}.html` };
}

export function printSummary(report: Report): void {
  const rows: [string, string][] = [
    ['scenario', report.scenario],
    ['attempted', String(report.attempted)],
    ['ok / failed / indeterminate', `${report.ok} / ${report.failed} / ${report.indeterminate}`],
    ['oversold / lost / phantom', `${report.oversold} / ${report.lost} / ${report.phantom}`],
    ['throughput', `${report.throughput.toFixed(1)} req/s`],
    ['latency p50 / p99', `${report.p50Ms} / ${report.p99Ms} ms`],
    [
      'reference',
      report.reference ? `${report.reference.name}: ${report.reference.value.toFixed(1)}/s` : 'none',
    ],
    ['ratio', report.ratio === null ? '-' : report.ratio.toFixed(3)],
    ['generator CPU', report.generatorCpuPercent.map((c) => `${c.toFixed(0)}%`).join(', ')],
    ['limited by', report.limitedBy],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  if (report.check && !report.check.valid) {
    console.log('\n  INVARIANT VIOLATIONS:');
    for (const v of report.check.violations.slice(0, 20)) console.log(`   ${v.invariant} ${v.detail}`);
  }
}

function html(report: Report): string {
  // The UMD build sits beside the package's entry point (it is not an export).
  const entry = createRequire(import.meta.url).resolve('chart.js');
  const chartJs = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  const valid =
    report.oversold === 0 && report.lost === 0 && report.phantom === 0 && (report.check?.valid ?? true);
  const data = JSON.stringify({
    timeline: report.load.timeline,
    percentiles: [report.load.p50Ms, report.load.p90Ms, report.load.p99Ms],
    outcomes: report.load.outcomes,
  }).replaceAll('<', '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${report.scenario} — load test</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:70rem}.banner{padding:1rem;border-radius:.5rem;color:#fff;font-weight:600}
.ok{background:#1b7f3b}.bad{background:#b3261e}table{border-collapse:collapse}td{padding:.2rem .8rem;border-bottom:1px solid #ddd}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));gap:1.5rem}</style></head><body>
<h1>Load test: ${report.scenario}</h1>
<p>${report.startedAt} on ${report.machine}</p>
<div class="banner ${valid ? 'ok' : 'bad'}">${valid ? 'Invariants hold' : 'INVARIANT VIOLATION'}: oversold ${report.oversold}, lost ${report.lost}, phantom ${report.phantom}</div>
<table>
<tr><td>attempted</td><td>${report.attempted}</td></tr>
<tr><td>ok / failed / indeterminate</td><td>${report.ok} / ${report.failed} / ${report.indeterminate}</td></tr>
<tr><td>throughput</td><td>${report.throughput.toFixed(1)} req/s</td></tr>
<tr><td>reference</td><td>${report.reference ? `${report.reference.name}: ${report.reference.value.toFixed(1)}/s` : 'none'}</td></tr>
<tr><td>ratio</td><td>${report.ratio === null ? '-' : report.ratio.toFixed(3)}</td></tr>
<tr><td>limited by</td><td>${report.limitedBy}</td></tr>
</table>
<div class="charts"><div><h2>Throughput over time</h2><canvas id="t"></canvas></div>
<div><h2>Latency percentiles</h2><canvas id="l"></canvas></div><div><h2>Outcomes</h2><canvas id="o"></canvas></div></div>
<script>${chartJs}</script>
<script>const d=${data};
new Chart(document.getElementById('t'),{type:'line',data:{labels:d.timeline.map((_,i)=>i+1+'s'),datasets:[{label:'completed requests/s',data:d.timeline}]}});
new Chart(document.getElementById('l'),{type:'bar',data:{labels:['p50','p90','p99'],datasets:[{label:'ms',data:d.percentiles}]}});
new Chart(document.getElementById('o'),{type:'doughnut',data:{labels:Object.keys(d.outcomes),datasets:[{data:Object.values(d.outcomes)}]}});
</script></body></html>
`;
}
