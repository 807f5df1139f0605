// The sale over time, from the purchase history: confirmed purchases per second
// and the cumulative seats sold, in buckets from the start of the timed part.
import type { HistoryLine } from './history.ts';

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
 * Buckets of 0.5 s for runs up to 10 s, 1 s up to a minute, 2 s beyond (autocannon's
 * rate limit sends each second's requests in a burst, so small buckets of a long
 * rate-limited run only show that saw-tooth).
 */
export function salesTimeline(lines: HistoryLine[], startedAtMs: number, bucket?: number): SalesTimeline {
  const answers = lines.filter((l) => l.type === 'complete');
  const ok = answers.filter((l) => l.outcome === 'ok');
  let lastAt = startedAtMs;
  for (const l of answers) lastAt = Math.max(lastAt, l.at);
  const span = (lastAt - startedAtMs) / 1000;
  const bucketSeconds = bucket ?? (span <= 10 ? 0.5 : span <= 60 ? 1 : 2);
  const buckets = Math.max(1, Math.ceil((lastAt - startedAtMs) / 1000 / bucketSeconds));
  const orders = new Array<number>(buckets).fill(0);
  const seats = new Array<number>(buckets).fill(0);
  for (const l of ok) {
    const i = Math.min(buckets - 1, Math.max(0, Math.floor((l.at - startedAtMs) / 1000 / bucketSeconds)));
    orders[i] = (orders[i] ?? 0) + 1;
    seats[i] = (seats[i] ?? 0) + (l.seatIds?.length ?? 0);
  }
  let total = 0;
  const confirmedKeys = new Set(ok.map((l) => l.key));
  const byRetry = new Set(
    lines
      .filter((l) => l.type === 'retry' && l.outcome === 'ok' && !confirmedKeys.has(l.key))
      .map((l) => l.key),
  );
  return {
    bucketSeconds,
    t: orders.map((_, i) => round((i + 1) * bucketSeconds)),
    purchasesPerSecond: orders.map((n) => round(n / bucketSeconds)),
    seatsSold: seats.map((n) => {
      total += n;
      return total;
    }),
    confirmed: ok.length,
    seatsConfirmed: total,
    confirmedByRetry: byRetry.size,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
