// The watch scenario's bookkeeping: the SSE parser, orders from the purchase
// history, commit-to-subscriber latency per order and subscriber, and the
// summary's failure counts.
import { describe, expect, it } from 'vitest';
import type { HistoryLine } from '../src/history.ts';
import {
  LATENCY_BOUND_MS,
  latencyStats,
  orderLatencies,
  ordersFromHistory,
  type SubscriberProcessResult,
  summarizeWatch,
  watchFailures,
} from '../src/watch/latency.ts';
import { SseParser } from '../src/watch/sse.ts';

const NaN_ = Number.NaN;

describe('SseParser', () => {
  it('when events arrive split across chunks with comments and CRLF, then each event is returned once, whole', () => {
    const p = new SseParser();
    expect(p.push(': heartbeat\n\nevent: ready\ndata: {"version":3}\nretry: 2000\n')).toEqual([]);
    expect(p.push('\nid: 4\nevent: seats\ndata: {"version":4,')).toEqual([
      { event: 'ready', data: '{"version":3}', id: undefined },
    ]);
    expect(p.push('"changes":[]}\r')).toEqual([]);
    expect(p.push('\n\r\ndata: a\ndata:b\n\n')).toEqual([
      { event: 'seats', data: '{"version":4,"changes":[]}', id: '4' },
      { event: 'message', data: 'a\nb', id: '4' },
    ]);
  });
});

describe('ordersFromHistory', () => {
  it('when orders are confirmed by answers and by retries, then each is one order and only answered ones are timed', () => {
    const seatIds = ['s0', 's1', 's2', 's3'];
    const base = { userId: 'u', eventId: 'e', at: 0 };
    const lines: HistoryLine[] = [
      { ...base, type: 'invoke', key: 'a' },
      { ...base, type: 'complete', key: 'a', outcome: 'ok', seatIds: ['s1', 's2'], mono: 1000.5 },
      { ...base, type: 'complete', key: 'b', outcome: 'fail', status: 409 },
      { ...base, type: 'complete', key: 'c', outcome: 'info', status: 503 },
      { ...base, type: 'retry', key: 'c', outcome: 'ok', seatIds: ['s3'] },
    ];
    expect(ordersFromHistory(lines, seatIds)).toEqual([{ seats: [1, 2], ackMono: 1000.5 }, { seats: [3] }]);
  });
});

describe('orderLatencies', () => {
  it('when subscribers saw the seats at known times, then each (order, subscriber) sample is last seat seen − 2xx received', () => {
    const orders = [
      { seats: [0, 1], ackMono: 100 },
      { seats: [2], ackMono: 200 },
      { seats: [3] }, // confirmed by a retry: checked, not timed
    ];
    const a = Float64Array.from([105, 110, 199, 300]); // heard order 2 before its buyer did
    const b = Float64Array.from([130, 120, 260, NaN_]); // never saw seat 3
    const c = Float64Array.from([NaN_, 150, 210, 300]); // never saw seat 0
    const part = orderLatencies(orders, [a, b, c]);
    expect(Array.from(part.latencies)).toEqual([10, -1, 30, 60, 10]);
    expect(part.pairs).toBe(9);
    expect(part.missedPairs).toBe(2);
    expect(part.subscribersMissing).toBe(2);
  });

  it('when every subscriber saw everything, then nothing is missed', () => {
    const part = orderLatencies(
      [{ seats: [0], ackMono: 0 }],
      [Float64Array.from([5]), Float64Array.from([7])],
    );
    expect(part).toMatchObject({ pairs: 2, missedPairs: 0, subscribersMissing: 0 });
  });
});

describe('latencyStats', () => {
  it('when samples come from several processes, then percentiles are over all of them (nearest rank)', () => {
    const one = { latencies: Float64Array.from({ length: 50 }, (_, i) => i + 1) };
    const two = { latencies: Float64Array.from({ length: 50 }, (_, i) => 100 - i) };
    expect(latencyStats([one, two])).toEqual({
      samples: 100,
      minMs: 1,
      p50Ms: 51,
      p90Ms: 91,
      p99Ms: 100,
      maxMs: 100,
    });
    expect(latencyStats([]).samples).toBe(0);
  });
});

describe('summarizeWatch and watchFailures', () => {
  const part = (over: Partial<SubscriberProcessResult>): SubscriberProcessResult => ({
    latencies: new Float64Array(),
    pairs: 0,
    missedPairs: 0,
    subscribersMissing: 0,
    subscribers: 0,
    connected: 0,
    connectFailureReasons: {},
    disconnectReasons: {},
    perReplica: {},
    unexpectedSoldSeats: 0,
    messages: 0,
    ...over,
  });

  it('when two processes report, then counts add up and failures name connects, disconnects and misses', () => {
    const orders = [
      { seats: [0, 1], ackMono: 1 },
      { seats: [2], ackMono: 2 },
    ];
    const summary = summarizeWatch(
      [
        part({
          latencies: Float64Array.from([5, 6]),
          pairs: 4,
          subscribers: 3,
          connected: 2,
          connectFailureReasons: { 'HTTP 503': 1 },
          perReplica: { r1: 1, r2: 1 },
          messages: 4,
        }),
        part({
          latencies: Float64Array.from([7]),
          pairs: 4,
          missedPairs: 1,
          subscribersMissing: 1,
          subscribers: 2,
          connected: 2,
          disconnectReasons: { 'stream closed': 1 },
          perReplica: { r2: 1, r3: 1 },
          messages: 3,
        }),
      ],
      orders,
      { http: 'HTTP/2' },
    );
    expect(summary).toMatchObject({
      subscribers: 5,
      connected: 4,
      connectFailures: 1,
      disconnects: 1,
      perReplica: { r1: 1, r2: 2, r3: 1 },
      orders: 2,
      ordersTimed: 2,
      seatsSold: 3,
      pairs: 8,
      missedPairs: 1,
      subscribersMissingChanges: 1,
      messages: 7,
      latency: { samples: 3, p50Ms: 6, maxMs: 7 },
      boundMs: LATENCY_BOUND_MS,
      withinBound: true,
      processes: 2,
    });
    expect(watchFailures(summary)).toEqual([
      '1 of 5 subscribers failed to connect',
      '1 subscribers were disconnected during the sale',
      '1 subscribers missed seat changes (1 of 8 order deliveries)',
    ]);
  });

  it('when every subscriber connected and saw every order, then there is no failure', () => {
    const summary = summarizeWatch(
      [part({ latencies: Float64Array.from([1]), pairs: 1, subscribers: 1, connected: 1 })],
      [{ seats: [0], ackMono: 0 }],
      { http: 'HTTP/2' },
    );
    expect(watchFailures(summary)).toEqual([]);
  });
});
