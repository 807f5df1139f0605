// The sale over time, from the purchase history: confirmed purchases per second
// and the cumulative seats sold, in buckets from the start of the timed part.
import type { HistoryLine } from './history.ts';
import { Extent, LatencyHistogram } from './stats.ts';

export interface SalesTimeline {
  bucketSeconds: number;
  /** End of each bucket, in seconds since the load started. */
  t: number[];
  /** Confirmed purchases (2xx answers) per second in each bucket. */
  purchasesPerSecond: number[];
  /** Seats sold by confirmed purchases up to the end of each bucket. */
  seatsSold: number[];
  confirmed: number;
  seatsConfirmed: number;
  /** What the chart cannot show: purchases confirmed only by a retry after the load. */
  confirmedByRetry: number;
}

/**
 * Buckets of 0.5 s for runs up to 10 s, 1 s up to a minute, 2 s up to an hour, then
 * doubling so that a chart never has more than 2,000 points (autocannon's rate limit
 * sends each second's requests in a burst, so small buckets of a long rate-limited run
 * only show that saw-tooth).
 */
export function bucketSecondsFor(spanSeconds: number): number {
  if (spanSeconds <= 10) return 0.5;
  if (spanSeconds <= 60) return 1;
  let b = 2;
  while (spanSeconds / b > 2000) b *= 2;
  return b;
}

/**
 * The timeline built line by line: counts in 0.5 s buckets (or the given bucket),
 * coarsened at the end. Its memory grows with the run's duration (one counter pair per
 * 0.5 s), never with its number of lines. `retryOk`: the keys confirmed by a retry
 * (a first pass over the history collects them, see `retryConfirmedKeys`); the ones
 * a load answer also confirmed are struck off as they are met.
 */
export class SalesTimelineBuilder {
  private readonly base: number;
  private readonly orders: number[] = [];
  private readonly seats: number[] = [];
  private lastAt: number;
  private confirmed = 0;
  private readonly startedAtMs: number;
  private readonly bucket: number | undefined;
  private readonly retryOk: Set<string>;

  constructor(startedAtMs: number, bucket?: number, retryOk: Set<string> = new Set()) {
    this.startedAtMs = startedAtMs;
    this.bucket = bucket;
    this.retryOk = retryOk;
    this.base = bucket ?? 0.5;
    this.lastAt = startedAtMs;
  }

  add(l: HistoryLine): void {
    if (l.type !== 'complete') return;
    if (l.at > this.lastAt) this.lastAt = l.at;
    if (l.outcome !== 'ok') return;
    this.retryOk.delete(l.key);
    this.confirmed++;
    const i = Math.max(0, Math.floor((l.at - this.startedAtMs) / 1000 / this.base));
    while (this.orders.length <= i) {
      this.orders.push(0);
      this.seats.push(0);
    }
    this.orders[i] = (this.orders[i] ?? 0) + 1;
    this.seats[i] = (this.seats[i] ?? 0) + (l.seatIds?.length ?? 0);
  }

  finish(): SalesTimeline {
    const span = (this.lastAt - this.startedAtMs) / 1000;
    const bucketSeconds = this.bucket ?? bucketSecondsFor(span);
    const factor = Math.max(1, Math.round(bucketSeconds / this.base));
    const buckets = Math.max(1, Math.ceil(span / bucketSeconds));
    const orders = new Array<number>(buckets).fill(0);
    const seats = new Array<number>(buckets).fill(0);
    for (let b = 0; b < this.orders.length; b++) {
      const i = Math.min(buckets - 1, Math.floor(b / factor));
      orders[i] = (orders[i] ?? 0) + (this.orders[b] ?? 0);
      seats[i] = (seats[i] ?? 0) + (this.seats[b] ?? 0);
    }
    let total = 0;
    return {
      bucketSeconds,
      t: orders.map((_, i) => round((i + 1) * bucketSeconds)),
      purchasesPerSecond: orders.map((n) => round(n / bucketSeconds)),
      seatsSold: seats.map((n) => {
        total += n;
        return total;
      }),
      confirmed: this.confirmed,
      seatsConfirmed: total,
      confirmedByRetry: this.retryOk.size,
    };
  }
}

/** Keys a retry after the load confirmed (few: only the indeterminate ones are retried). */
export function retryConfirmedKeys(lines: Iterable<HistoryLine>): Set<string> {
  const keys = new Set<string>();
  for (const l of lines) if (l.type === 'retry' && l.outcome === 'ok') keys.add(l.key);
  return keys;
}

export function salesTimeline(lines: HistoryLine[], startedAtMs: number, bucket?: number): SalesTimeline {
  const builder = new SalesTimelineBuilder(startedAtMs, bucket, retryConfirmedKeys(lines));
  for (const l of lines) builder.add(l);
  return builder.finish();
}

/** What a purchase report takes from its history, in constant memory per line. */
export interface HistorySummary {
  sales: SalesTimeline;
  lines: number;
  answers: number;
  /** When the first answered request was sent (ms since the epoch), or null. */
  firstSentAt: number | null;
  /** When the last confirmed purchase was answered, or null. */
  lastOkAt: number | null;
  okAnswers: number;
  /** Latency of the load's answers, from the history (bucketed, see stats.ts). */
  latency: { p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number };
}

/**
 * Streams the history twice (the retries confirmed, then everything) and sums it up
 * with counters, running extremes, a fixed-size latency histogram and the timeline:
 * nothing here grows with the number of lines.
 */
export async function summarizeHistory(
  files: string[],
  startedAtMs: number,
  read: (files: string[]) => AsyncIterable<HistoryLine>,
): Promise<HistorySummary> {
  const retryOk = new Set<string>();
  for await (const l of read(files)) if (l.type === 'retry' && l.outcome === 'ok') retryOk.add(l.key);
  const sales = new SalesTimelineBuilder(startedAtMs, undefined, retryOk);
  const sent = new Extent();
  const okAt = new Extent();
  const latency = new LatencyHistogram();
  let lines = 0;
  let answers = 0;
  for await (const l of read(files)) {
    lines++;
    sales.add(l);
    if (l.type !== 'complete') continue;
    answers++;
    sent.add(l.at - (l.latencyMs ?? 0));
    if (l.latencyMs !== undefined) latency.record(l.latencyMs);
    if (l.outcome === 'ok') okAt.add(l.at);
  }
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    sales: sales.finish(),
    lines,
    answers,
    firstSentAt: sent.count ? sent.min : null,
    lastOkAt: okAt.count ? okAt.max : null,
    okAnswers: okAt.count,
    latency: {
      p50Ms: r2(latency.percentile(50)),
      p90Ms: r2(latency.percentile(90)),
      p99Ms: r2(latency.percentile(99)),
      maxMs: r2(latency.count ? latency.max : 0),
    },
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
