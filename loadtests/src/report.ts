// Results of a run: JSON and a self-contained HTML page (Chart.js inlined) under
// loadtests/results/, and a summary table in the terminal.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { CheckReport } from '../lib/checker.ts';
import { type CpuProfile, cpuLine, cpuVerdict } from './cpu.ts';
import type { FaultSummary } from './faults/measure.ts';
import type { LoadResult } from './run-load.ts';
import type { SalesTimeline } from './sales-timeline.ts';
import type { SoakSummary } from './scenarios/soak.ts';
import { type SurgeSummary, surgeRows } from './surge/summary.ts';
import type { WatchSummary } from './watch/latency.ts';

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
  /** Answered requests per second over the timed part. */
  throughput: number;
  /** Confirmed purchases per second while selling (purchase scenarios): their headline figure. */
  purchasesPerSecond?: number;
  /** Purchases/s and cumulative seats sold over the timed part (purchase scenarios). */
  sales?: SalesTimeline;
  /** CPU per process over the timed part, with average cores per group. */
  cpu?: CpuProfile;
  /** The watch scenario's stream subscribers: delivery, latency, failures. */
  watch?: WatchSummary;
  /** The faults scenario: what each fault did to the sale, with its own accounting. */
  faults?: FaultSummary[];
  /** The surge scenario: the waiting room's rate and order, the admitted buyers' purchases. */
  surge?: SurgeSummary;
  /** The soak scenario: samples every 10 s (memory, connections, streams) and per-window throughput and latency. */
  soak?: SoakSummary;
  /** Failures besides invariant violations (e.g. a subscriber that missed a sale); any fails the run. */
  failures?: string[];
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

/**
 * Says what limited the figure: the generator when it used (almost) a whole core;
 * else, with CPU samples, the machine's CPU when it was saturated (naming the
 * busiest process group), or the scenario's own limit with the CPU figures.
 */
export function limitedBy(load: LoadResult, system: string): string {
  const busiest = Math.max(...load.generatorCpuPercent);
  if (busiest >= 85) return `the load generator (a generator process at ${busiest.toFixed(0)}% of a core)`;
  if (!load.cpu) return system;
  const verdict = cpuVerdict(load.cpu);
  return verdict.saturated
    ? `${verdict.text} (scenario's expected limit: ${system})`
    : `${system}; ${verdict.text}`;
}

export function writeReport(report: Report): { json: string; html: string } {
  mkdirSync(resultsDir, { recursive: true });
  const stamp = report.startedAt.replaceAll(':', '-').replace(/\..*/, '');
  const base = join(resultsDir, `${report.scenario}-${stamp}`);
  // The JSON first: if the page cannot be drawn, the figures are still kept, and the page
  // says what failed instead.
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  try {
    writeFileSync(`${base}.html`, html(report));
  } catch (err) {
    writeFileSync(
      `${base}.html`,
      `<!doctype html><meta charset="utf-8"><title>${report.scenario}</title><p>The page could not be drawn (${escapeHtml(String((err as Error).message))}); the figures are in ${escapeHtml(base)}.json.</p>`,
    );
  }
  return { json: `${base}.json`, html: `${base}.html` };
}

const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The headline figure: confirmed purchases/s for purchase scenarios, else answered requests/s. */
export function headline(report: Report): string {
  if (report.purchasesPerSecond === undefined) return `${fmt(report.throughput)} req/s`;
  const seconds = Number(report.details.secondsUntilLastSale ?? 0);
  const sold = report.sales
    ? `${report.sales.confirmed} purchases, ${report.sales.seatsConfirmed} seats`
    : '';
  return `${fmt(report.purchasesPerSecond)} purchases/s (confirmed, while selling${sold ? `: ${sold} in ${fmt(seconds)} s` : ''})`;
}

function watchRows(w: WatchSummary): [string, string][] {
  const replicas = Object.entries(w.perReplica)
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([r, n]) => `${r} ${n}`)
    .join(', ');
  return [
    [
      'subscribers',
      `${w.connected} of ${w.subscribers} connected over ${w.http} in ${w.processes} process(es)${replicas ? ` (${replicas})` : ''}`,
    ],
    ['connect failures / disconnects', `${w.connectFailures} / ${w.disconnects}`],
    [
      'sales seen by subscribers',
      `${w.pairs - w.missedPairs} of ${w.pairs} order deliveries (${w.orders} orders with ${w.seatsSold} seats, each to ${w.connected} subscribers); ${w.subscribersMissingChanges} subscribers missed some`,
    ],
    [
      'commit→subscriber p50 / p99',
      `${w.latency.p50Ms} / ${w.latency.p99Ms} ms (max ${w.latency.maxMs} ms, ${w.latency.samples} samples); bound p99 ≤ ${w.boundMs} ms: ${w.withinBound ? 'within' : 'EXCEEDED'}`,
    ],
  ];
}

const seconds = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(2)} s`);
const counted = (answers: Record<string, number>) =>
  Object.entries(answers)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ×${n}`)
    .join(', ') || 'none';

/** One fault as label/value rows: the same in the terminal and on the HTML page. */
export function faultRows(f: FaultSummary): [string, string][] {
  const rows: [string, string][] = [
    [
      'fault',
      `${f.summary} (target ${f.target}; from ${f.times.faultStart} s to ${f.times.faultEnd} s of ${f.times.loadEnd} s of load)`,
    ],
    [
      'purchases',
      `attempted ${f.attempted}, acknowledged ${f.acknowledged}, refused ${f.refused}; lost ${f.lost}, double-sold ${f.doubleSold}, phantom ${f.phantom}`,
    ],
    ['seats', `${f.seatsSold} of ${f.seats} sold${f.soldOut ? ' (sold out)' : ''}`],
    ['answers', counted(f.answers)],
  ];
  if (Object.keys(f.holdAnswers).length) rows.push(['hold answers', counted(f.holdAnswers)]);
  rows.push(
    [
      'stall',
      `${seconds(f.stall.ms)} without a confirmed sale (from ${f.stall.fromS} s to ${f.stall.toS} s after the fault began); through the gateway alone ${seconds(f.gatewayStall.ms)}`,
    ],
    [
      'recovery',
      `first sale ${seconds(f.recovery.firstSaleMs)}, steady rate ${seconds(f.recovery.steadyMs)} after ${f.recovery.from} (before the fault: ${f.baselinePerSecond} sales/s)`,
    ],
    [
      'indeterminate',
      `${f.indeterminate.requests} purchase(s): ${f.indeterminate.settledDuringLoad} settled by their retries during the load, ${f.indeterminate.settledAfterLoad} by the retry after it, ${f.indeterminate.unsettled} unsettled`,
    ],
  );
  if (f.bound)
    rows.push([
      'bound',
      `${f.bound.what} ≤ ${(f.bound.limitMs / 1000).toFixed(1)} s: ${seconds(f.bound.measuredMs)}, ${f.bound.within ? 'within' : 'EXCEEDED'}`,
    ]);
  for (const note of f.notes) rows.push(['seen', note]);
  rows.push(['verdict', f.failures.length ? `FAILED: ${f.failures.join('; ')}` : 'passed']);
  return rows;
}

export function printSummary(report: Report): void {
  const rows: [string, string][] = [
    ['scenario', report.scenario],
    ['attempted', String(report.attempted)],
    ['ok / failed / indeterminate', `${report.ok} / ${report.failed} / ${report.indeterminate}`],
    ['oversold / lost / phantom', `${report.oversold} / ${report.lost} / ${report.phantom}`],
    ['throughput', headline(report)],
  ];
  if (report.purchasesPerSecond !== undefined)
    rows.push(['requests answered', `${fmt(report.throughput)} req/s`]);
  rows.push(
    ['latency p50 / p99', `${report.p50Ms} / ${report.p99Ms} ms`],
    [
      'reference',
      report.reference ? `${report.reference.name}: ${report.reference.value.toFixed(1)}/s` : 'none',
    ],
    ['ratio', report.ratio === null ? '-' : report.ratio.toFixed(3)],
  );
  if (report.watch) rows.push(...watchRows(report.watch));
  if (report.surge) rows.push(...surgeRows(report.surge));
  if (report.cpu) rows.push(['CPU (avg cores)', cpuLine(report.cpu)]);
  rows.push(
    ['generator CPU', report.generatorCpuPercent.map((c) => `${c.toFixed(0)}%`).join(', ')],
    ['limited by', report.limitedBy],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  for (const f of report.faults ?? []) {
    console.log(`\n  ${f.fault}`);
    for (const [k, v] of faultRows(f)) console.log(`    ${k.padEnd(13)}  ${v}`);
  }
  if (report.check && !report.check.valid) {
    console.log('\n  INVARIANT VIOLATIONS:');
    for (const v of report.check.violations.slice(0, 20)) console.log(`   ${v.invariant} ${v.detail}`);
  }
  if (report.failures?.length) {
    console.log('\n  FAILURES:');
    for (const f of report.failures) console.log(`   ${f}`);
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Every outcome with its count, most frequent first; requests that got no answer included. */
export function outcomeRows(load: LoadResult): [string, number][] {
  const rows = Object.entries(load.outcomes).sort((a, b) => b[1] - a[1]);
  if (load.errors > 0) rows.push(['no answer (connection error or timeout)', load.errors]);
  return rows;
}

function cpuTable(cpu: CpuProfile): string {
  const rows = [...cpu.groups]
    .sort((a, b) => b.avgCores - a.avgCores)
    .map(
      (g) =>
        `<tr><td><b>${escapeHtml(g.group)}</b></td><td>${g.avgCores.toFixed(2)}</td><td>${g.peakCores.toFixed(2)}</td><td>${g.members
          .map((m) => `${escapeHtml(m.label)} ${m.avgCores.toFixed(2)}`)
          .join(', ')}</td></tr>`,
    );
  rows.push(
    `<tr><td>other (not in any group)</td><td>${cpu.otherAvgCores.toFixed(2)}</td><td></td><td>other processes and the kernel</td></tr>`,
    `<tr><td><b>machine</b></td><td><b>${cpu.machineAvgCores.toFixed(2)}</b></td><td></td><td>of ${cpu.cores} cores</td></tr>`,
  );
  return `<table><tr><th>process group</th><th>avg cores</th><th>peak</th><th>processes (avg cores)</th></tr>${rows.join('')}</table>
<p class="note">${escapeHtml(cpu.method)}; averages over ${cpu.seconds} s of load.</p>`;
}

function soakSection(k: SoakSummary): string {
  const mb = (b: number | null | undefined) =>
    b === null || b === undefined ? '-' : `${(b / 2 ** 20).toFixed(0)} MB`;
  const per = (m: Record<string, number | null>) =>
    Object.entries(m)
      .map(([id, b]) => `${id} ${mb(b)}`)
      .join(', ') || '-';
  const b = k.background;
  const h = k.orderHistories;
  const rows: [string, string][] = [
    [
      'load generators RSS',
      `after the first minute ${mb(k.memory.generatorsRssAfterFirstMinute)}, at the end ${mb(k.memory.generatorsRssAtEnd)}, peak ${mb(k.memory.generatorsPeakRssBytes)}`,
    ],
    ['replicas RSS after the first minute', per(k.memory.replicasRssAfterFirstMinute)],
    ['replicas RSS at the end', per(k.memory.replicasRssAtEnd)],
    [
      'background',
      `${b.seatMapReads} seat-map reads (${b.seatMapErrors} errors); ${b.subscribers} stream subscribers (${b.streamEvents} events, ${b.streamReconnects} reconnects); ${b.holds} holds, ${b.holdsReleased} released (${b.holdErrors} errors)`,
    ],
    [
      'purchase histories',
      `${h.compared} of ${h.buyers} buyers compared: ${h.missing} acknowledged orders missing, ${h.unexpected} unexpected`,
    ],
  ];
  for (const n of h.notes) rows.push(['', n]);
  return `<div class="wide"><h2>Soak: the sale over time</h2><table>${rows.map(([a, v]) => `<tr><td>${escapeHtml(a)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>
<div class="box" style="height:20rem"><canvas id="soakRate"></canvas></div><p class="note">Per ${k.sampleSeconds} s window of the history: confirmed purchases/s, answered requests/s, and the answers' p50/p99 latency (bucketed, within 1 %).</p></div>
<div class="wide"><h2>Soak: memory</h2><div class="box" style="height:22rem"><canvas id="soakMem"></canvas></div><p class="note">Sampled every ${k.sampleSeconds} s: each replica's process_resident_memory_bytes and nodejs_heap_size_used_bytes (/metrics), the load generators' RSS (/proc), this harness's heap and Redis used_memory. A leak shows as a line going up.</p></div>
<div class="wide"><h2>Soak: connections and streams</h2><div class="box" style="height:16rem"><canvas id="soakConn"></canvas></div><p class="note">pg_stat_activity rows of the database, and the replicas' tickets_sse_subscribers.</p></div>`;
}

function watchTable(w: WatchSummary): string {
  const rows = watchRows(w).map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`);
  const reasons = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, n]) => `${escapeHtml(k)}: ${n}`)
      .join(', ') || 'none';
  rows.push(
    `<tr><td>connect failure reasons</td><td>${reasons(w.connectFailureReasons)}</td></tr>`,
    `<tr><td>disconnect reasons</td><td>${reasons(w.disconnectReasons)}</td></tr>`,
    `<tr><td>seats seen sold that no known order holds</td><td>${w.unexpectedSoldSeats}</td></tr>`,
  );
  return `<table>${rows.join('')}</table><p class="note">Latency definition: ${escapeHtml(w.definition)}</p>`;
}

function html(report: Report): string {
  // The UMD build sits beside the package's entry point (it is not an export).
  const entry = createRequire(import.meta.url).resolve('chart.js');
  const chartJs = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  const valid =
    report.oversold === 0 &&
    report.lost === 0 &&
    report.phantom === 0 &&
    (report.check?.valid ?? true) &&
    !report.failures?.length;
  const outcomes = outcomeRows(report.load);
  const cpu = report.cpu;
  // CPU samples on the load's clock (seconds since the generators started).
  const cpuShift = cpu ? (cpu.startedAtMs - report.load.startedAtMs) / 1000 : 0;
  const data = JSON.stringify({
    timeline: report.load.timeline,
    percentiles: [report.load.p50Ms, report.load.p90Ms, report.load.p99Ms],
    outcomes,
    sales: report.sales ?? null,
    cpu: cpu
      ? {
          cores: cpu.cores,
          sources: cpu.sources,
          samples: cpu.samples.map((s) => ({ ...s, t: Math.round((s.t + cpuShift) * 1000) / 1000 })),
        }
      : null,
    watch: report.watch
      ? {
          latency: report.watch.latency,
          boundMs: report.watch.boundMs,
        }
      : null,
    faults: (report.faults ?? []).map((f) => ({ series: f.series, times: f.times })),
    surge: report.surge ? { timeline: report.surge.timeline, configured: report.surge.admitPerMinute } : null,
    soak: report.soak ? { samples: report.soak.samples, windows: report.soak.windows } : null,
  }).replaceAll('<', '\\u003c');
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
      `<div class="wide"><h2>Fault: ${escapeHtml(f.fault)} — ${f.failures.length ? 'FAILED' : 'passed'}</h2><table>${faultRows(
        f,
      )
        .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`)
        .join('')}</table><div class="box" style="height:16rem"><canvas id="fault${i}"></canvas></div>
<p class="note">Confirmed sales per second (${f.series.bucketMs} ms buckets) over this fault's load; the shaded band is the fault.</p></div>`,
  )
  .join('\n')}
${
  report.surge
    ? `<div class="wide"><h2>Surge: the waiting room</h2><table>${surgeRows(report.surge)
        .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`)
        .join('')}</table><div class="box" style="height:20rem"><canvas id="admit"></canvas></div>
<p class="note">Admissions per minute in ${report.surge.timeline.bucketSeconds} s buckets from the opening: as the buyers saw them (their first admitted answer) and as the service made them due (from the tokens' expiry), against the configured rate.</p></div>`
    : ''
}
${report.soak ? soakSection(report.soak) : ''}
${report.watch ? `<div class="wide"><h2>Watch: stream subscribers</h2>${watchTable(report.watch)}</div><div><h2>Commit → subscriber latency</h2><div class="box" style="height:18rem"><canvas id="w"></canvas></div></div>` : ''}
<div><h2>Request latency percentiles</h2><div class="box" style="height:18rem"><canvas id="l"></canvas></div></div>
<div class="wide"><h2>Outcomes (all ${outcomes.length})</h2><div class="box" style="height:${outcomeHeight}px"><canvas id="o"></canvas></div>
<table><tr><th>outcome</th><th>requests</th></tr>${outcomes.map(([k, n]) => `<tr><td>${escapeHtml(k)}</td><td>${n}</td></tr>`).join('')}</table></div>
</div>
<script>${chartJs}</script>
<script>const d=${data};
const palette=['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf','#393b79','#637939','#8c6d31','#843c39','#7b4173'];
const base={responsive:true,maintainAspectRatio:false,animation:false};
const secs={type:'linear',min:0,title:{display:true,text:'seconds since the load started'}};
if(d.sales){const from0=(ys)=>[{x:0,y:0},...d.sales.t.map((t,i)=>({x:t,y:ys[i]}))];
new Chart(document.getElementById('sale'),{type:'line',data:{datasets:[
{label:'confirmed purchases/s (per '+d.sales.bucketSeconds+' s)',data:from0(d.sales.purchasesPerSecond),yAxisID:'y',borderColor:palette[0],backgroundColor:palette[0],pointRadius:0,stepped:'before'},
{label:'seats sold (cumulative)',data:from0(d.sales.seatsSold),yAxisID:'y1',borderColor:palette[2],backgroundColor:palette[2],pointRadius:0},
{label:'answered requests/s (all outcomes)',data:d.timeline.map((v,i)=>({x:i+1,y:v})),yAxisID:'y',borderColor:palette[7],backgroundColor:palette[7],pointRadius:0,borderDash:[4,4],hidden:true}]},
options:{...base,interaction:{mode:'nearest',axis:'x',intersect:false},scales:{x:secs,y:{beginAtZero:true,title:{display:true,text:'per second'}},y1:{beginAtZero:true,position:'right',grid:{drawOnChartArea:false},title:{display:true,text:'seats sold'}}}}});}
else{new Chart(document.getElementById('t'),{type:'line',data:{datasets:[{label:'completed requests/s',data:d.timeline.map((v,i)=>({x:i+1,y:v}))}]},options:{...base,scales:{x:secs,y:{beginAtZero:true}}}});}
if(d.cpu){const ds=d.cpu.sources.map((s,i)=>({label:s.label,data:d.cpu.samples.map(p=>({x:p.t,y:p.cores[s.label]??0})),fill:true,stack:'procs',pointRadius:0,borderWidth:1,borderColor:palette[i%palette.length],backgroundColor:palette[i%palette.length]+'99'}));
ds.push({label:'other processes (not in this run)',data:d.cpu.samples.map(p=>({x:p.t,y:Math.max(0,p.machine-Object.values(p.cores).reduce((a,b)=>a+b,0))})),fill:true,stack:'procs',pointRadius:0,borderWidth:1,borderColor:'#bbb',backgroundColor:'#dddddd99'});
ds.push({label:'machine busy',data:d.cpu.samples.map(p=>({x:p.t,y:p.machine})),stack:'machine',fill:false,pointRadius:0,borderColor:'#000',borderDash:[6,3]});
const ts=d.cpu.samples.map(p=>p.t);ds.push({label:'cores ('+d.cpu.cores+')',data:[{x:Math.min(0,...ts),y:d.cpu.cores},{x:Math.max(1,...ts),y:d.cpu.cores}],stack:'cap',fill:false,pointRadius:0,borderColor:'#b3261e',borderWidth:1});
new Chart(document.getElementById('cpu'),{type:'line',data:{datasets:ds},options:{...base,interaction:{mode:'nearest',axis:'x',intersect:false},scales:{x:secs,y:{stacked:true,beginAtZero:true,suggestedMax:d.cpu.cores,title:{display:true,text:'cores'}}}}});}
if(d.watch){const l=d.watch.latency;new Chart(document.getElementById('w'),{type:'bar',data:{labels:['p50','p90','p99','max','bound (p99)'],datasets:[{label:'ms',data:[l.p50Ms,l.p90Ms,l.p99Ms,l.maxMs,d.watch.boundMs],backgroundColor:[palette[0],palette[0],palette[0],palette[7],'#b3261e']}]},options:{...base,plugins:{legend:{display:false}}}});}
if(d.surge){const s=d.surge.timeline,pts=(ys)=>[{x:0,y:0},...s.t.map((t,i)=>({x:t,y:ys[i]}))];
new Chart(document.getElementById('admit'),{type:'line',data:{datasets:[
{label:'admitted/min, seen by buyers',data:pts(s.seenPerMinute),borderColor:palette[0],backgroundColor:palette[0],pointRadius:0,stepped:'before'},
{label:'admitted/min, due',data:pts(s.duePerMinute),borderColor:palette[2],backgroundColor:palette[2],pointRadius:0,stepped:'before',borderDash:[4,4]},
{label:'configured',data:[{x:0,y:d.surge.configured},{x:Math.max(1,...s.t),y:d.surge.configured}],borderColor:'#b3261e',pointRadius:0,borderWidth:1}]},
options:{...base,scales:{x:{type:'linear',min:0,title:{display:true,text:'seconds since the opening'}},y:{beginAtZero:true,title:{display:true,text:'admissions per minute'}}}}});}
if(d.soak){const S=d.soak.samples,W=d.soak.windows,MB=1048576,ids=[...new Set(S.flatMap(s=>Object.keys(s.replicas)))].sort();
const line=(label,pts,i,axis,dash)=>({label,data:pts,yAxisID:axis??'y',borderColor:palette[i%palette.length],backgroundColor:palette[i%palette.length],pointRadius:0,borderDash:dash??[]});
const opt=(y,y1)=>({...base,interaction:{mode:'nearest',axis:'x',intersect:false},scales:{x:secs,y:{beginAtZero:true,title:{display:true,text:y}},...(y1?{y1:{beginAtZero:true,position:'right',grid:{drawOnChartArea:false},title:{display:true,text:y1}}}:{})}});
new Chart(document.getElementById('soakRate'),{type:'line',data:{datasets:[line('confirmed purchases/s',W.map(w=>({x:w.t,y:w.purchasesPerSecond})),0),line('answered requests/s',W.map(w=>({x:w.t,y:w.answersPerSecond})),7,'y',[4,4]),line('p50 ms',W.map(w=>({x:w.t,y:w.p50Ms})),2,'y1'),line('p99 ms',W.map(w=>({x:w.t,y:w.p99Ms})),3,'y1')]},options:opt('per second','ms')});
new Chart(document.getElementById('soakMem'),{type:'line',data:{datasets:[...ids.flatMap((id,i)=>[line(id+' RSS',S.map(s=>({x:s.t,y:(s.replicas[id]?.rssBytes??NaN)/MB})),i),line(id+' heap used',S.map(s=>({x:s.t,y:(s.replicas[id]?.heapUsedBytes??NaN)/MB})),i,'y',[4,4])]),line('load generators RSS',S.map(s=>({x:s.t,y:s.generatorsRssBytes/MB})),8),line('harness heap used',S.map(s=>({x:s.t,y:s.harnessHeapUsedBytes/MB})),9,'y',[2,2]),line('Redis used_memory',S.map(s=>({x:s.t,y:s.redisUsedMemoryBytes===null?NaN:s.redisUsedMemoryBytes/MB})),4,'y',[6,3])]},options:opt('MB')});
new Chart(document.getElementById('soakConn'),{type:'line',data:{datasets:[line('PostgreSQL connections',S.map(s=>({x:s.t,y:s.pgConnections})),0),line('open seat streams',S.map(s=>({x:s.t,y:s.sseStreams})),1)]},options:opt('count')});}
d.faults.forEach((f,i)=>{const peak=Math.max(1,...f.series.perSecond);
new Chart(document.getElementById('fault'+i),{type:'line',data:{datasets:[
{label:'confirmed sales/s',data:[{x:0,y:0},...f.series.t.map((t,j)=>({x:t,y:f.series.perSecond[j]}))],borderColor:palette[0],backgroundColor:palette[0],pointRadius:0,stepped:'before'},
{label:'fault',data:[{x:f.times.faultStart,y:peak},{x:Math.max(f.times.faultEnd,f.times.faultStart+0.05),y:peak}],fill:'origin',borderColor:'#b3261e',backgroundColor:'#b3261e33',pointRadius:0}]},
options:{...base,scales:{x:{...secs,max:f.times.loadEnd},y:{beginAtZero:true,title:{display:true,text:'per second'}}}}});});
new Chart(document.getElementById('l'),{type:'bar',data:{labels:['p50','p90','p99'],datasets:[{label:'ms',data:d.percentiles}]},options:{...base,plugins:{legend:{display:false}}}});
const counts=d.outcomes.map(o=>o[1]);const logx=Math.max(...counts)>50*Math.min(...counts);
const others=palette.filter((_,i)=>i!==2);
new Chart(document.getElementById('o'),{type:'bar',data:{labels:d.outcomes.map(o=>o[0]+' ('+o[1]+')'),datasets:[{label:'requests',data:counts,backgroundColor:d.outcomes.map((o,i)=>o[0]==='ok'?'#1b7f3b':others[i%others.length])}]},
options:{...base,indexAxis:'y',plugins:{legend:{display:false}},scales:{x:logx?{type:'logarithmic',min:0.5,title:{display:true,text:'requests (log scale)'}}:{beginAtZero:true,title:{display:true,text:'requests'}},y:{ticks:{autoSkip:false}}}}});
</script></body></html>
`;
}
