// The HTML page's tables for the CPU, the soak and the watch scenario (the charts
// beside them are drawn from chart-data.ts).
import type { CpuProfile } from '../cpu/profile.ts';
import type { SoakSummary } from '../soak/summary.ts';
import type { WatchSummary } from '../watch/latency.ts';
import { escapeHtml, rowsHtml } from './html.ts';
import { watchRows } from './rows.ts';

export function cpuTable(cpu: CpuProfile): string {
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

export function soakSection(k: SoakSummary): string {
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
  return `<div class="wide"><h2>Soak: the sale over time</h2><table>${rowsHtml(rows)}</table>
<div class="box" style="height:20rem"><canvas id="soakRate"></canvas></div><p class="note">Per ${k.sampleSeconds} s window of the history: confirmed purchases/s, answered requests/s, and the answers' p50/p99 latency (bucketed, within 1 %).</p></div>
<div class="wide"><h2>Soak: memory</h2><div class="box" style="height:22rem"><canvas id="soakMem"></canvas></div><p class="note">Sampled every ${k.sampleSeconds} s: each replica's process_resident_memory_bytes and nodejs_heap_size_used_bytes (/metrics), the load generators' RSS (/proc), this harness's heap and Redis used_memory. A leak shows as a line going up.</p></div>
<div class="wide"><h2>Soak: connections and streams</h2><div class="box" style="height:16rem"><canvas id="soakConn"></canvas></div><p class="note">pg_stat_activity rows of the database, and the replicas' tickets_sse_subscribers.</p></div>`;
}

export function watchTable(w: WatchSummary): string {
  const reasons = (r: Record<string, number>) =>
    Object.entries(r)
      .map(([k, n]) => `${escapeHtml(k)}: ${n}`)
      .join(', ') || 'none';
  const more = [
    `<tr><td>connect failure reasons</td><td>${reasons(w.connectFailureReasons)}</td></tr>`,
    `<tr><td>disconnect reasons</td><td>${reasons(w.disconnectReasons)}</td></tr>`,
    `<tr><td>seats seen sold that no known order holds</td><td>${w.unexpectedSoldSeats}</td></tr>`,
  ];
  return `<table>${rowsHtml(watchRows(w))}${more.join('')}</table><p class="note">Latency definition: ${escapeHtml(w.definition)}</p>`;
}
