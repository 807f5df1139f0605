// Commit-to-subscriber latency of the watch scenario, and whether every
// subscriber saw every sold seat.
//
// The stream messages carry no commit time, so a sample is measured from the
// buyer's receipt of the purchase's 2xx answer (in the load generator) to one
// subscriber's receipt of the stream message that carries the last of that
// order's seats as sold. Both times are CLOCK_MONOTONIC (process.hrtime), which
// every process on the machine shares. A negative sample means the subscriber
// heard of the sale before the buyer did.

import type { HistoryLine } from '../history.ts';

export const LATENCY_DEFINITION =
  "from the buyer's receipt of the purchase's 2xx answer (load generator) to each subscriber's receipt " +
  "of the stream message carrying that order's seats as sold; the stream messages carry no commit " +
  'timestamp. Both clocks are CLOCK_MONOTONIC of the same machine; negative = the subscriber heard first. ' +
  'One sample per confirmed order and subscriber; orders confirmed only by a retry after the load are ' +
  'checked for delivery but not timed.';

export const LATENCY_BOUND_MS = 250;

export interface WatchOrder {
  /** Indexes of the order's seats in the event's seat list. */
  seats: number[];
  /** CLOCK_MONOTONIC ms when the buyer received the 2xx; absent when only a retry confirmed it. */
  ackMono?: number;
}

/**
 * The confirmed orders of a run, from its history: each 2xx answer with the
 * time it arrived, and orders only a retry after the load confirmed (untimed).
 */
export function ordersFromHistory(lines: HistoryLine[], seatIds: string[]): WatchOrder[] {
  const index = new Map(seatIds.map((id, i) => [id, i]));
  const toSeats = (ids: string[]) => ids.map((id) => index.get(id) ?? -1).filter((i) => i >= 0);
  const byKey = new Map<string, WatchOrder>();
  for (const l of lines)
    if (l.type === 'complete' && l.outcome === 'ok' && l.seatIds && !byKey.has(l.key))
      byKey.set(l.key, { seats: toSeats(l.seatIds), ackMono: l.mono });
  for (const l of lines)
    if (l.type === 'retry' && l.outcome === 'ok' && l.seatIds && !byKey.has(l.key))
      byKey.set(l.key, { seats: toSeats(l.seatIds) });
  return [...byKey.values()];
}

export interface LatencyPart {
  /** One sample per (timed order, subscriber that saw it), in ms. */
  latencies: Float64Array;
  /** (order, subscriber) pairs checked. */
  pairs: number;
  /** Pairs where the subscriber never saw all of the order's seats sold. */
  missedPairs: number;
  /** Subscribers that missed at least one order. */
  subscribersMissing: number;
}

/**
 * `soldAt[s][seat]` is when subscriber s first saw that seat sold (NaN: never).
 * Pass only subscribers that connected: connect failures are counted apart.
 */
export function orderLatencies(orders: WatchOrder[], soldAt: Float64Array[]): LatencyPart {
  const timed = orders.filter((o) => o.ackMono !== undefined).length;
  const latencies = new Float64Array(timed * soldAt.length);
  let n = 0;
  let missedPairs = 0;
  let subscribersMissing = 0;
  for (const seen of soldAt) {
    let missing = false;
    for (const order of orders) {
      let at = Number.NEGATIVE_INFINITY;
      for (const seat of order.seats) at = Math.max(at, seen[seat] ?? Number.NaN);
      if (Number.isNaN(at) || order.seats.length === 0) {
        if (order.seats.length > 0) {
          missedPairs++;
          missing = true;
        }
        continue;
      }
      if (order.ackMono !== undefined) latencies[n++] = at - order.ackMono;
    }
    if (missing) subscribersMissing++;
  }
  return {
    latencies: latencies.subarray(0, n),
    pairs: orders.filter((o) => o.seats.length > 0).length * soldAt.length,
    missedPairs,
    subscribersMissing,
  };
}

export interface LatencyStats {
  samples: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Percentiles over all parts (nearest rank, as the request latencies of run-load). */
export function latencyStats(parts: { latencies: Float64Array | number[] }[]): LatencyStats {
  const all = new Float64Array(parts.reduce((n, p) => n + p.latencies.length, 0));
  let offset = 0;
  for (const p of parts) {
    all.set(p.latencies, offset);
    offset += p.latencies.length;
  }
  all.sort();
  const pct = (p: number) => all[Math.min(all.length - 1, Math.floor((p / 100) * all.length))] ?? 0;
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    samples: all.length,
    minMs: round(all[0] ?? 0),
    p50Ms: round(pct(50)),
    p90Ms: round(pct(90)),
    p99Ms: round(pct(99)),
    maxMs: round(all[all.length - 1] ?? 0),
  };
}

export interface WatchSummary {
  subscribers: number;
  connected: number;
  connectFailures: number;
  connectFailureReasons: Record<string, number>;
  /** Streams that ended or failed after they were ready, before the harness closed them. */
  disconnects: number;
  disconnectReasons: Record<string, number>;
  /** Subscribers per replica (from the x-replica-id header of the stream's answer). */
  perReplica: Record<string, number>;
  orders: number;
  ordersTimed: number;
  seatsSold: number;
  pairs: number;
  missedPairs: number;
  subscribersMissingChanges: number;
  /** Seats subscribers saw sold that no known order holds (e.g. an unsettled request). */
  unexpectedSoldSeats: number;
  messages: number;
  latency: LatencyStats;
  boundMs: number;
  withinBound: boolean;
  definition: string;
  http: string;
  processes: number;
}

/** What each subscriber process reports, folded into one summary. */
export interface SubscriberProcessResult extends LatencyPart {
  subscribers: number;
  connected: number;
  connectFailureReasons: Record<string, number>;
  disconnectReasons: Record<string, number>;
  perReplica: Record<string, number>;
  unexpectedSoldSeats: number;
  messages: number;
}

export function summarizeWatch(
  parts: SubscriberProcessResult[],
  orders: WatchOrder[],
  meta: { http: string },
): WatchSummary {
  const sumRecords = (records: Record<string, number>[]) => {
    const out: Record<string, number> = {};
    for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const sum = (f: (p: SubscriberProcessResult) => number) => parts.reduce((n, p) => n + f(p), 0);
  const connectFailureReasons = sumRecords(parts.map((p) => p.connectFailureReasons));
  const disconnectReasons = sumRecords(parts.map((p) => p.disconnectReasons));
  const latency = latencyStats(parts);
  return {
    subscribers: sum((p) => p.subscribers),
    connected: sum((p) => p.connected),
    connectFailures: Object.values(connectFailureReasons).reduce((a, b) => a + b, 0),
    connectFailureReasons,
    disconnects: Object.values(disconnectReasons).reduce((a, b) => a + b, 0),
    disconnectReasons,
    perReplica: sumRecords(parts.map((p) => p.perReplica)),
    orders: orders.length,
    ordersTimed: orders.filter((o) => o.ackMono !== undefined).length,
    seatsSold: orders.reduce((n, o) => n + o.seats.length, 0),
    pairs: sum((p) => p.pairs),
    missedPairs: sum((p) => p.missedPairs),
    subscribersMissingChanges: sum((p) => p.subscribersMissing),
    unexpectedSoldSeats: Math.max(0, ...parts.map((p) => p.unexpectedSoldSeats)),
    messages: sum((p) => p.messages),
    latency,
    boundMs: LATENCY_BOUND_MS,
    withinBound: latency.samples > 0 && latency.p99Ms <= LATENCY_BOUND_MS,
    definition: LATENCY_DEFINITION,
    http: meta.http,
    processes: parts.length,
  };
}

/** The failures a watch run reports (an empty list: every subscriber saw every sale). */
export function watchFailures(w: WatchSummary): string[] {
  const failures: string[] = [];
  if (w.connectFailures > 0)
    failures.push(`${w.connectFailures} of ${w.subscribers} subscribers failed to connect`);
  if (w.disconnects > 0) failures.push(`${w.disconnects} subscribers were disconnected during the sale`);
  if (w.missedPairs > 0)
    failures.push(
      `${w.subscribersMissingChanges} subscribers missed seat changes (${w.missedPairs} of ${w.pairs} order deliveries)`,
    );
  return failures;
}
