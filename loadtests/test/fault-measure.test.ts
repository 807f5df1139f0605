// What the faults scenario says about one fault, from a purchase history: the stall,
// the recovery and whether every indeterminate purchase was settled.
import { describe, expect, it } from 'vitest';
import { longestGap, measureSale } from '../src/faults/measure.ts';
import type { HistoryLine } from '../src/history.ts';

const T = 1_000_000;
const base = { userId: 'u', eventId: 'e' };
const sale = (key: string, at: number, via = 'gateway'): HistoryLine => ({
  ...base,
  type: 'complete',
  key,
  at: T + at,
  via,
  outcome: 'ok',
  status: 201,
});
const line = (l: Partial<HistoryLine> & Pick<HistoryLine, 'type' | 'key' | 'at'>): HistoryLine => ({
  ...base,
  ...l,
  at: T + l.at,
});

describe('longestGap', () => {
  it('when sales stop before the window ends, then the gap to the end counts', () => {
    expect(longestGap([T + 100, T + 200, T + 300], T, T + 2_300, T + 1_000)).toEqual({
      ms: 2_000,
      fromS: -0.7,
      toS: 1.3,
    });
  });
});

describe('measureSale', () => {
  const times = { loadStart: T, loadEnd: T + 10_000, faultStart: T + 3_000, faultEnd: T + 5_000 };

  it('when a pause stops sales through the gateway but a direct buyer sells on, then the stall counts every way in and the gateway alone is told apart', () => {
    const lines: HistoryLine[] = [];
    for (let t = 0; t < 10_000; t += 100) {
      if (t >= 3_000 && t < 5_000 && t % 500 !== 0) continue; // only a direct sale every 0.5 s during the pause
      lines.push(sale(`k${t}`, t, t >= 3_000 && t < 5_000 ? 'direct r2' : 'gateway'));
    }
    const m = measureSale(lines, times, false);
    expect(m.stall.ms).toBe(500);
    expect(m.gatewayStall).toEqual({ ms: 2_100, fromS: -0.1, toS: 2 });
    expect(m.baselinePerSecond).toBe(10);
    expect(m.firstSaleMs).toBe(0);
    expect(m.steadyMs).toBe(0);
    expect(m.acknowledged).toBe(lines.length);
  });

  it('when the event sold out, then the time after its last sale is no stall', () => {
    const lines = [sale('a', 100), sale('b', 200), sale('c', 3_000)];
    expect(measureSale(lines, times, true).stall.ms).toBe(2_800);
    expect(measureSale(lines, times, false).stall.ms).toBe(7_000);
  });

  it('when recovery is counted from a later moment (PostgreSQL accepting again), then the first sale is timed from it', () => {
    const lines = [sale('a', 2_900), sale('b', 5_600), sale('c', 5_700)];
    const m = measureSale(lines, { ...times, recoveryFrom: T + 5_500 }, false);
    expect(m.firstSaleMs).toBe(100);
  });

  it('when purchases got 503s, timeouts or no answer at all, then each is counted as settled during the load, by the retry after it, or not at all', () => {
    const lines: HistoryLine[] = [
      line({ type: 'invoke', key: 'during', at: 0 }),
      line({ type: 'complete', key: 'during', at: 10, outcome: 'info', status: 503, code: 'UNAVAILABLE' }),
      line({ type: 'complete', key: 'during', at: 500, outcome: 'ok', status: 201 }),
      line({ type: 'invoke', key: 'after', at: 0 }),
      line({ type: 'complete', key: 'after', at: 3_000, outcome: 'info', status: 0, code: 'TIMEOUT' }),
      line({ type: 'retry', key: 'after', at: 11_000, outcome: 'ok', status: 200 }),
      line({ type: 'invoke', key: 'never', at: 0 }),
      line({ type: 'complete', key: 'never', at: 20, outcome: 'info', status: 500, code: 'INTERNAL' }),
      line({ type: 'retry', key: 'never', at: 11_000, outcome: 'info', status: 500, code: 'INTERNAL' }),
      line({ type: 'invoke', key: 'silent', at: 0 }),
      line({ type: 'invoke', key: 'refused', at: 0 }),
      line({
        type: 'complete',
        key: 'refused',
        at: 30,
        outcome: 'fail',
        status: 409,
        code: 'SEAT_UNAVAILABLE',
      }),
    ];
    const m = measureSale(lines, times, false);
    expect(m.indeterminate).toEqual({ requests: 4, settledDuringLoad: 1, settledAfterLoad: 1, unsettled: 2 });
    expect(m.answers).toEqual({
      '201': 1,
      '503 UNAVAILABLE': 1,
      'no answer (TIMEOUT)': 1,
      '500 INTERNAL': 1,
      '409 SEAT_UNAVAILABLE': 1,
    });
    expect(m.status500).toBe(2);
    expect(m).toMatchObject({ attempted: 5, acknowledged: 2, refused: 1 });
  });
});
