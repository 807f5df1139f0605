// What a report is made of besides the checker: the sale over time from the
// purchase history, every outcome for the chart, and the headline figure.
import { describe, expect, it } from 'vitest';
import type { HistoryLine } from '../src/history.ts';
import { headline, outcomeRows, type Report } from '../src/report.ts';
import type { LoadResult } from '../src/run-load.ts';
import { salesTimeline } from '../src/sales-timeline.ts';

describe('salesTimeline', () => {
  it('when purchases are confirmed over 1.2 s, then each 0.5 s bucket has its rate and the seats add up', () => {
    const start = 10_000;
    const base = { userId: 'u', eventId: 'e' };
    const lines: HistoryLine[] = [
      { ...base, type: 'complete', key: 'a', outcome: 'ok', seatIds: ['1', '2'], at: start + 100 },
      { ...base, type: 'complete', key: 'b', outcome: 'ok', seatIds: ['3'], at: start + 400 },
      { ...base, type: 'complete', key: 'c', outcome: 'fail', at: start + 700 },
      { ...base, type: 'complete', key: 'd', outcome: 'ok', seatIds: ['4', '5', '6'], at: start + 1200 },
      { ...base, type: 'complete', key: 'e', outcome: 'info', at: start + 1300 },
      { ...base, type: 'retry', key: 'e', outcome: 'ok', seatIds: ['7'], at: start + 5000 },
    ];
    expect(salesTimeline(lines, start)).toEqual({
      bucketSeconds: 0.5,
      t: [0.5, 1, 1.5],
      purchasesPerSecond: [4, 0, 2],
      seatsSold: [3, 3, 6],
      confirmed: 3,
      seatsConfirmed: 6,
      confirmedByRetry: 1,
    });
  });
});

describe('outcomeRows and headline', () => {
  const load = {
    outcomes: { ok: 5, '409 SOLD_OUT': 90, '409 SEAT_UNAVAILABLE': 30 },
    errors: 2,
  } as unknown as LoadResult;

  it('when requests had many outcomes, then every one is listed, the unanswered too', () => {
    expect(outcomeRows(load)).toEqual([
      ['409 SOLD_OUT', 90],
      ['409 SEAT_UNAVAILABLE', 30],
      ['ok', 5],
      ['no answer (connection error or timeout)', 2],
    ]);
  });

  it('when the run sold seats, then the headline is confirmed purchases per second, not requests', () => {
    const report = {
      throughput: 1234.5,
      purchasesPerSecond: 94.53,
      details: { secondsUntilLastSale: 8.7 },
      sales: { confirmed: 825, seatsConfirmed: 2000 },
    } as unknown as Report;
    expect(headline(report)).toBe(
      '94.5 purchases/s (confirmed, while selling: 825 purchases, 2000 seats in 8.7 s)',
    );
    expect(headline({ throughput: 1219.73, details: {} } as unknown as Report)).toBe('1,219.7 req/s');
  });
});
