// What one fault did to the sale, from its part of the purchase history: answers
// by status, the longest time without a confirmed sale while seats remained (the
// stall), how long the sale took to come back after the fault, and whether every
// indeterminate request was settled by a retry with its own key.
import type { HistoryLine } from '../history.ts';
import { answerLabel } from '../purchase-mix.ts';

/** Milliseconds since the epoch (the history's `at`). */
export interface PhaseTimes {
  loadStart: number;
  /** When customers stopped arriving (those in flight went on retrying). */
  loadEnd: number;
  faultStart: number;
  /** When the fault was over: the process resumed, the server was back, the command done. */
  faultEnd: number;
  /** Where recovery is counted from, when not from faultEnd (PostgreSQL: when it accepts connections again). */
  recoveryFrom?: number;
}

export interface Gap {
  ms: number;
  /** Seconds since the fault started (negative: before it). */
  fromS: number;
  toS: number;
}

export interface SaleMeasures {
  /** Answers to purchase requests during the load, by status (and problem code). */
  answers: Record<string, number>;
  /** Purchases sent (distinct Idempotency-Keys). */
  attempted: number;
  /** Purchases answered 2xx at least once (during the load or by the retry after it). */
  acknowledged: number;
  /** Purchases answered with a definite 4xx and never 2xx. */
  refused: number;
  /** Answers with status 500 (purchases only). */
  status500: number;
  /** Longest time without a confirmed sale while seats remained, over every way in. */
  stall: Gap;
  /** The same, counting only purchases that went through the gateway. */
  gatewayStall: Gap;
  /** Confirmed sales per second over the two seconds before the fault. */
  baselinePerSecond: number;
  /** From the fault's end (or `recoveryFrom`) to the first confirmed sale after it. */
  firstSaleMs: number | null;
  /**
   * From the same moment to the first confirmed sale from which the next second holds at
   * least half the baseline's sales: the sale is back at a steady rate.
   */
  steadyMs: number | null;
  indeterminate: {
    /** Purchases that had at least one indeterminate answer (5xx, no answer). */
    requests: number;
    /** …that a retry during the load settled (a definite answer). */
    settledDuringLoad: number;
    /** …that only the retry after the load settled. */
    settledAfterLoad: number;
    /** …that no retry settled: nobody can tell whether they bought. */
    unsettled: number;
  };
  /** Confirmed sales per second in 250 ms buckets, from the start of the load (for the chart). */
  series: { bucketMs: number; t: number[]; perSecond: number[] };
}

const rel = (t: number, faultStart: number) => Math.round((t - faultStart) / 10) / 100;

/** The longest gap between sales (sorted times) inside [from, to]; `to` ends the last gap. */
export function longestGap(sales: number[], from: number, to: number, faultStart: number): Gap {
  let best = { ms: 0, from, to: from };
  let previous = from;
  for (const t of sales) {
    if (t < from) continue;
    if (t > to) break;
    if (t - previous > best.ms) best = { ms: t - previous, from: previous, to: t };
    previous = t;
  }
  if (to - previous > best.ms) best = { ms: to - previous, from: previous, to };
  return { ms: Math.round(best.ms), fromS: rel(best.from, faultStart), toS: rel(best.to, faultStart) };
}

/**
 * `lines` are this phase's history: the buyers' `invoke`/`complete` lines and the
 * settling pass's `retry` lines. `soldOut`: no seat was left at the end (then the
 * stall is counted up to the last sale, else up to the end of the load).
 */
export function measureSale(lines: HistoryLine[], t: PhaseTimes, soldOut: boolean): SaleMeasures {
  const during = lines.filter((l) => l.type === 'complete');
  const answers: Record<string, number> = {};
  for (const l of during) {
    const k = answerLabel(l.status ?? 0, l.code);
    answers[k] = (answers[k] ?? 0) + 1;
  }

  // A sale is confirmed when its first 2xx arrives; retries of it that replay are not sales.
  const firstOk = new Map<string, HistoryLine>();
  for (const l of during)
    if (l.outcome === 'ok' && (!firstOk.has(l.key) || l.at < (firstOk.get(l.key) as HistoryLine).at))
      firstOk.set(l.key, l);
  const sales = [...firstOk.values()].map((l) => l.at).sort((a, b) => a - b);
  const gatewaySales = [...firstOk.values()]
    .filter((l) => (l.via ?? 'gateway') === 'gateway')
    .map((l) => l.at)
    .sort((a, b) => a - b);
  const windowEnd = (list: number[]) => (soldOut && list.length ? (list.at(-1) as number) : t.loadEnd);
  const windowStart = (list: number[]) => list[0] ?? t.loadStart;
  const stall = longestGap(sales, windowStart(sales), windowEnd(sales), t.faultStart);
  const gatewayStall = longestGap(
    gatewaySales,
    windowStart(gatewaySales),
    windowEnd(gatewaySales),
    t.faultStart,
  );

  const baseFrom = Math.max(t.faultStart - 2_000, sales[0] ?? t.loadStart);
  const baseSeconds = Math.max(0.25, (t.faultStart - baseFrom) / 1000);
  const baselinePerSecond = sales.filter((s) => s >= baseFrom && s < t.faultStart).length / baseSeconds;
  const from = t.recoveryFrom ?? t.faultEnd;
  const after = sales.filter((s) => s >= from);
  const firstSaleMs = after.length ? Math.round((after[0] as number) - from) : null;
  const need = Math.max(1, Math.ceil(baselinePerSecond / 2));
  let steadyMs: number | null = null;
  for (let i = 0; i + need - 1 < after.length; i++) {
    if ((after[i + need - 1] as number) - (after[i] as number) < 1000) {
      steadyMs = Math.round((after[i] as number) - from);
      break;
    }
  }

  const keys = new Set(lines.filter((l) => l.type === 'invoke').map((l) => l.key));
  for (const l of lines) keys.add(l.key);
  const ok = new Set(lines.filter((l) => l.type !== 'invoke' && l.outcome === 'ok').map((l) => l.key));
  const refused = new Set(
    lines.filter((l) => l.type !== 'invoke' && l.outcome === 'fail' && !ok.has(l.key)).map((l) => l.key),
  );
  // Indeterminate: an answer that was, or a send that never got any answer.
  const answered = new Set(lines.filter((l) => l.type !== 'invoke').map((l) => l.key));
  const doubtful = new Set(
    lines.filter((l) => l.type !== 'invoke' && l.outcome === 'info').map((l) => l.key),
  );
  for (const k of keys) if (!answered.has(k)) doubtful.add(k);
  const decidedDuring = new Set(during.filter((l) => l.outcome !== 'info').map((l) => l.key));
  const decidedAfter = new Set(
    lines.filter((l) => l.type === 'retry' && l.outcome !== 'info').map((l) => l.key),
  );
  let settledDuringLoad = 0;
  let settledAfterLoad = 0;
  let unsettled = 0;
  for (const k of doubtful) {
    if (decidedDuring.has(k)) settledDuringLoad++;
    else if (decidedAfter.has(k)) settledAfterLoad++;
    else unsettled++;
  }

  const bucketMs = 250;
  const buckets = Math.max(1, Math.ceil((t.loadEnd - t.loadStart) / bucketMs));
  const perBucket = new Array<number>(buckets).fill(0);
  for (const s of sales) {
    const i = Math.floor((s - t.loadStart) / bucketMs);
    if (i >= 0 && i < buckets) perBucket[i] = (perBucket[i] ?? 0) + 1;
  }

  return {
    answers,
    attempted: keys.size,
    acknowledged: ok.size,
    refused: refused.size,
    status500:
      during.filter((l) => l.status === 500).length +
      lines.filter((l) => l.type === 'retry' && l.status === 500).length,
    stall,
    gatewayStall,
    baselinePerSecond: Math.round(baselinePerSecond * 10) / 10,
    firstSaleMs,
    steadyMs,
    indeterminate: { requests: doubtful.size, settledDuringLoad, settledAfterLoad, unsettled },
    series: {
      bucketMs,
      t: perBucket.map((_, i) => Math.round(((i + 1) * bucketMs) / 10) / 100),
      perSecond: perBucket.map((n) => (n * 1000) / bucketMs),
    },
  };
}

/** What one fault did, as the report gives it. */
export interface FaultSummary {
  fault: string;
  summary: string;
  target: string;
  eventId: string;
  seats: number;
  seatsSold: number;
  soldOut: boolean;
  /** Seconds since this fault's load started. */
  times: { faultStart: number; faultEnd: number; loadEnd: number };
  attempted: number;
  acknowledged: number;
  refused: number;
  lost: number;
  doubleSold: number;
  phantom: number;
  answers: Record<string, number>;
  /** Answers to hold requests (customers who hold first; a hold has no key and is not retried). */
  holdAnswers: Record<string, number>;
  status500: number;
  stall: Gap;
  gatewayStall: Gap;
  baselinePerSecond: number;
  recovery: { from: string; firstSaleMs: number | null; steadyMs: number | null };
  indeterminate: SaleMeasures['indeterminate'];
  bound: { what: string; limitMs: number; measuredMs: number | null; within: boolean } | null;
  measures: Record<string, number | string | boolean | null>;
  notes: string[];
  /** Why this fault fails the run; empty when it passed. */
  failures: string[];
  violations: { invariant: string; detail: string }[];
  series: SaleMeasures['series'];
}
