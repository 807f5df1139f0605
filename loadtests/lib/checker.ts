// Checks a purchase history against the database for the product's invariants
// (ARCHITECTURE.md, I1–I5). In the spirit of Jepsen's checkers: every attempt is
// `ok` (2xx, with its order), `fail` (a definite 4xx) or `info` (timeout, reset,
// 5xx: it may or may not have happened). Then:
//   I1 no seat has two tickets or two ok answers; sold <= capacity
//   I2 every ok order is stored, with exactly the seats it was answered with
//   I3 nothing is stored for a failed attempt, nor for a key nobody sent
//   I4 the seat map shown equals the stored tickets; totals add up
//   I5 all ok answers for one key name the same order; one stored order per key
import { readHistory } from './checker/history.ts';
import { checkStoredOrders } from './checker/orders.ts';
import type { Queryable } from './checker/pages.ts';
import { checkCapacity, checkSeatsShown } from './checker/seats.ts';

export type Outcome = 'ok' | 'fail' | 'info';

export interface Attempt {
  key: string;
  userId: string;
  eventId: string;
  outcome: Outcome;
  /** For ok: the order answered and its seats. */
  orderId?: string;
  seatIds?: string[];
  /** For fail: the problem code. */
  code?: string;
}

export interface SeatMapView {
  eventId: string;
  seats: { id: string; status: string }[];
}

export interface Violation {
  invariant: 'I1' | 'I2' | 'I3' | 'I4' | 'I5';
  detail: string;
}

/** Records a violation (its detail kept up to MAX_VIOLATION_DETAILS). */
export type Add = (invariant: Violation['invariant'], detail: string) => void;

export interface CheckReport {
  valid: boolean;
  attempted: number;
  ok: number;
  failed: number;
  indeterminate: number;
  oversold: number;
  lost: number;
  phantom: number;
  violations: Violation[];
}

/** Rows per keyset page of stored orders and seats. */
export const CHECK_PAGE_SIZE = 5000;
/** Violations kept with their detail; beyond, they are only counted (`omittedViolations`). */
export const MAX_VIOLATION_DETAILS = 1000;

/**
 * An attempt, or (sentOnly) the mere fact that a key was sent: a key with nothing but
 * such markers counts as one indeterminate attempt (history.ts, streamAttempts).
 */
export type HistoryAttempt = Attempt & { sentOnly?: boolean };

/**
 * The history is read once, as it comes (an array or a stream), into compact per-key,
 * per-order and per-seat state; the stored orders and seats are then read from
 * PostgreSQL in keyset pages of CHECK_PAGE_SIZE rows and compared page by page, never
 * held whole. What stays in memory grows with the number of attempted keys (a bit mask
 * and an order id each), not with the size of the history or of the database.
 */
export async function checkInvariants(
  db: Queryable,
  input: {
    eventIds: string[];
    history: Iterable<HistoryAttempt> | AsyncIterable<HistoryAttempt>;
    seatMaps?: SeatMapView[];
  },
): Promise<CheckReport & { omittedViolations?: number }> {
  const { eventIds } = input;
  const violations: Violation[] = [];
  let omitted = 0;
  const add: Add = (invariant, detail) => {
    if (violations.length < MAX_VIOLATION_DETAILS) violations.push({ invariant, detail });
    else omitted++;
  };

  const history = await readHistory(input.history, add);
  const oversold = history.oversold + (await checkCapacity(db, eventIds, add));
  const { lost, phantom } = await checkStoredOrders(db, eventIds, CHECK_PAGE_SIZE, history, add);
  await checkSeatsShown(db, eventIds, CHECK_PAGE_SIZE, input.seatMaps ?? [], add);
  // I5: one order per key.
  for (const [k, ids] of history.moreOrdersOfKey)
    add('I5', `key ${k} was answered with ${ids.size} different orders`);

  return {
    valid: violations.length === 0 && omitted === 0,
    attempted: history.outcomes.size,
    ok: history.ok,
    failed: history.failed,
    indeterminate: history.indeterminate,
    oversold,
    lost,
    phantom,
    violations,
    ...(omitted ? { omittedViolations: omitted } : {}),
  };
}
