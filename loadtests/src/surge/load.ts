// The surge's purchases in the shape every scenario's load result has (answers over
// time, outcomes, latency), and its headline: confirmed purchases per second from the
// opening to the last sale.
import type { HistoryLine } from '../history.ts';
import type { LoadResult } from '../run-load.ts';
import { type SalesTimeline, salesTimeline } from '../sales-timeline.ts';
import type { Tallies } from './buyer.ts';
import type { CrowdResult } from './crowd.ts';
import type { SurgeSummary } from './summary.ts';

export interface SurgeLoad {
  load: LoadResult;
  sales: SalesTimeline;
  purchasesPerSecond: number;
  secondsUntilLastSale: number;
}

export function surgeLoad(
  lines: HistoryLine[],
  tallies: Tallies,
  c: CrowdResult,
  latency: SurgeSummary['admittedLatency'],
): SurgeLoad {
  const { purchaseAnswers, purchaseAts } = tallies;
  const { salesStartMs } = c;
  const answered = lines.filter((l) => l.type === 'complete');
  const openedFor = Math.max(0.001, (Math.max(salesStartMs, ...purchaseAts) - salesStartMs) / 1000);
  const okAts = answered.filter((l) => l.outcome === 'ok').map((l) => l.at);
  const sellingSeconds = okAts.length
    ? Math.max(0.001, (Math.max(...okAts) - salesStartMs) / 1000)
    : openedFor;
  const purchaseOutcomes: Record<string, number> = {};
  for (const [k, n] of Object.entries(purchaseAnswers))
    if (!k.startsWith('no answer')) purchaseOutcomes[k === '201' || k === '200' ? 'ok' : k] = n;
  const timelinePerSecond = new Array<number>(Math.max(1, Math.ceil(openedFor))).fill(0);
  for (const at of purchaseAts) {
    const i = Math.max(0, Math.min(timelinePerSecond.length - 1, Math.floor((at - salesStartMs) / 1000)));
    timelinePerSecond[i] = (timelinePerSecond[i] ?? 0) + 1;
  }
  const noAnswer = Object.entries(purchaseAnswers)
    .filter(([k]) => k.startsWith('no answer'))
    .reduce((n, [, count]) => n + count, 0);
  const load: LoadResult = {
    requests: purchaseAts.length,
    errors: noAnswer,
    timeouts: purchaseAnswers['no answer (TIMEOUT)'] ?? 0,
    durationSeconds: Math.round(openedFor * 10) / 10,
    throughput: purchaseAts.length / openedFor,
    p50Ms: latency.p50Ms,
    p90Ms: latency.p90Ms,
    p99Ms: latency.p99Ms,
    outcomes: purchaseOutcomes,
    generatorCpuPercent: [((c.cpuUsed.user + c.cpuUsed.system) / 1000 / c.wallMs) * 100],
    timeline: timelinePerSecond,
    startedAtMs: salesStartMs,
    cpu: c.cpu,
  };
  return {
    load,
    sales: salesTimeline(lines, salesStartMs),
    purchasesPerSecond: okAts.length / sellingSeconds,
    secondsUntilLastSale: sellingSeconds,
  };
}
