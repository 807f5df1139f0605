// Label/value rows that the terminal summary and the HTML page both show, so that
// the two always say the same.
import type { FaultSummary } from '../faults/measure.ts';
import type { WatchSummary } from '../watch/latency.ts';

export function watchRows(w: WatchSummary): [string, string][] {
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
