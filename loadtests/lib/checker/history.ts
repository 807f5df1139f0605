// Reading the history once, as it comes, into compact per-key, per-order and
// per-seat state; I1 as far as the answers alone show it, and the bookkeeping of I5.
import type { Add, HistoryAttempt, Outcome } from '../checker.ts';

// One small bit mask per attempted key (userId:key) instead of the attempts themselves.
export const OK = 1;
export const FAIL = 2;
export const INFO = 4;
export const SENT = 8;
const bit = (o: Outcome) => (o === 'ok' ? OK : o === 'fail' ? FAIL : INFO);

export interface HistoryState {
  /** The outcome bits of each attempted key (userId:key). */
  outcomes: Map<string, number>;
  /** Acknowledged orders: the key and, per ok answer, its seats (sorted, joined; null: not answered). */
  acknowledged: Map<string, { key: string; seats: (string | null)[] }>;
  /** Keys answered with more than one order, and those orders. */
  moreOrdersOfKey: Map<string, Set<string>>;
  ok: number;
  failed: number;
  indeterminate: number;
  oversold: number;
}

export async function readHistory(
  history: Iterable<HistoryAttempt> | AsyncIterable<HistoryAttempt>,
  add: Add,
): Promise<HistoryState> {
  const state: HistoryState = {
    outcomes: new Map(),
    acknowledged: new Map(),
    moreOrdersOfKey: new Map(),
    ok: 0,
    failed: 0,
    indeterminate: 0,
    oversold: 0,
  };
  const { outcomes, acknowledged, moreOrdersOfKey } = state;
  const answeredSeat = new Map<string, string>();
  const okOrderOfKey = new Map<string, string>();
  for await (const a of history) {
    const k = `${a.userId}:${a.key}`;
    if (a.sentOnly) {
      outcomes.set(k, (outcomes.get(k) ?? 0) | SENT);
      continue;
    }
    outcomes.set(k, (outcomes.get(k) ?? 0) | bit(a.outcome));
    if (a.outcome === 'fail') state.failed++;
    if (a.outcome === 'info') state.indeterminate++;
    if (a.outcome !== 'ok') continue;
    state.ok++;
    if (!a.orderId) continue;
    // I1 from the answers.
    for (const seat of a.seatIds ?? []) {
      const other = answeredSeat.get(seat);
      if (other && other !== a.orderId) {
        add('I1', `seat ${seat} was answered as sold by orders ${other} and ${a.orderId}`);
        state.oversold++;
      }
      answeredSeat.set(seat, a.orderId);
    }
    const entry = acknowledged.get(a.orderId) ?? { key: a.key, seats: [] };
    entry.seats.push(a.seatIds ? [...a.seatIds].sort().join() : null);
    acknowledged.set(a.orderId, entry);
    // I5 bookkeeping.
    const first = okOrderOfKey.get(k);
    if (first === undefined) okOrderOfKey.set(k, a.orderId);
    else if (first !== a.orderId)
      moreOrdersOfKey.set(k, (moreOrdersOfKey.get(k) ?? new Set([first])).add(a.orderId));
  }
  // Keys that were sent but never answered: one indeterminate attempt each (attemptsOf).
  for (const [k, mask] of outcomes) {
    if (mask === SENT) {
      outcomes.set(k, SENT | INFO);
      state.indeterminate++;
    }
  }
  return state;
}
