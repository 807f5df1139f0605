// Checks a purchase history against the database for the product's invariants
// (ARCHITECTURE.md, I1–I5). In the spirit of Jepsen's checkers: every attempt is
// `ok` (2xx, with its order), `fail` (a definite 4xx) or `info` (timeout, reset,
// 5xx: it may or may not have happened). Then:
//   I1 no seat has two tickets or two ok answers; sold <= capacity
//   I2 every ok order is stored, with exactly the seats it was answered with
//   I3 nothing is stored for a failed attempt, nor for a key nobody sent
//   I4 the seat map shown equals the stored tickets; totals add up
//   I5 all ok answers for one key name the same order; one stored order per key
import type pg from 'pg';

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

interface StoredOrder {
  id: string;
  event_id: string;
  user_id: string;
  key: string | null;
  seat_ids: string[];
  total_cents: number;
}

type Queryable = Pick<pg.Pool, 'query'>;

/** Rows per keyset page of stored orders and seats. */
export const CHECK_PAGE_SIZE = 5000;
/** Violations kept with their detail; beyond, they are only counted (`omittedViolations`). */
export const MAX_VIOLATION_DETAILS = 1000;

// One small bit mask per attempted key (userId:key) instead of the attempts themselves.
const OK = 1;
const FAIL = 2;
const INFO = 4;
const SENT = 8;
const bit = (o: Outcome) => (o === 'ok' ? OK : o === 'fail' ? FAIL : INFO);

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
  const add = (invariant: Violation['invariant'], detail: string) => {
    if (violations.length < MAX_VIOLATION_DETAILS) violations.push({ invariant, detail });
    else omitted++;
  };

  // The history, once.
  const outcomes = new Map<string, number>();
  const answeredSeat = new Map<string, string>();
  /** Acknowledged orders: the key and, per ok answer, its seats (sorted, joined; null: not answered). */
  const acknowledged = new Map<string, { key: string; seats: (string | null)[] }>();
  const okOrderOfKey = new Map<string, string>();
  const moreOrdersOfKey = new Map<string, Set<string>>();
  let ok = 0;
  let failed = 0;
  let indeterminate = 0;
  let oversold = 0;
  for await (const a of input.history) {
    const k = `${a.userId}:${a.key}`;
    if (a.sentOnly) {
      outcomes.set(k, (outcomes.get(k) ?? 0) | SENT);
      continue;
    }
    outcomes.set(k, (outcomes.get(k) ?? 0) | bit(a.outcome));
    if (a.outcome === 'fail') failed++;
    if (a.outcome === 'info') indeterminate++;
    if (a.outcome !== 'ok') continue;
    ok++;
    if (!a.orderId) continue;
    // I1 from the answers.
    for (const seat of a.seatIds ?? []) {
      const other = answeredSeat.get(seat);
      if (other && other !== a.orderId) {
        add('I1', `seat ${seat} was answered as sold by orders ${other} and ${a.orderId}`);
        oversold++;
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
      indeterminate++;
    }
  }
  answeredSeat.clear();

  // I1: from the database.
  const doubleTickets = await db.query<{ seat_id: string; n: number }>(
    `SELECT seat_id, count(*)::int AS n FROM tickets WHERE event_id = ANY($1::uuid[]) GROUP BY seat_id HAVING count(*) > 1`,
    [eventIds],
  );
  for (const r of doubleTickets.rows) add('I1', `seat ${r.seat_id} has ${r.n} tickets`);
  oversold += doubleTickets.rows.length;
  const capacity = await db.query<{ event_id: string; seat_count: number; tickets: number }>(
    `SELECT e.id AS event_id, e.seat_count, (SELECT count(*)::int FROM tickets t WHERE t.event_id = e.id) AS tickets
       FROM events e WHERE e.id = ANY($1::uuid[])`,
    [eventIds],
  );
  for (const c of capacity.rows) {
    if (c.tickets > c.seat_count) {
      add('I1', `event ${c.event_id} has ${c.tickets} tickets for ${c.seat_count} seats`);
      oversold += c.tickets - c.seat_count;
    }
  }

  // I2 and I3, over the stored orders in keyset pages (by id).
  let lost = 0;
  let phantom = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = (
      await db.query<StoredOrder>(
        `SELECT o.id, o.event_id, o.user_id, o.total_cents, r.key,
                coalesce(array_agg(t.seat_id::text ORDER BY t.seat_id) FILTER (WHERE t.seat_id IS NOT NULL), '{}') AS seat_ids
           FROM (SELECT * FROM orders WHERE event_id = ANY($1::uuid[]) AND id > $2::uuid ORDER BY id LIMIT $3) o
           LEFT JOIN tickets t ON t.order_id = o.id
           LEFT JOIN idempotency_records r ON r.order_id = o.id AND r.user_id = o.user_id
          GROUP BY o.id, o.event_id, o.user_id, o.total_cents, r.key
          ORDER BY o.id`,
        [eventIds, after, CHECK_PAGE_SIZE],
      )
    ).rows;
    for (const o of page) {
      const answered = acknowledged.get(o.id);
      if (answered) {
        const storedSeats = [...o.seat_ids].sort().join();
        for (const seats of answered.seats) {
          if (seats !== null && seats !== storedSeats) {
            add('I2', `order ${o.id} was answered with other seats than it stores`);
            lost++;
          }
        }
        acknowledged.delete(o.id);
      }
      const mask = o.key ? outcomes.get(`${o.user_id}:${o.key}`) : undefined;
      if (!mask) {
        add('I3', `order ${o.id} is stored but no attempt sent its key`);
        phantom++;
      } else if (!(mask & (OK | INFO))) {
        add('I3', `order ${o.id} is stored although its attempt (key ${o.key}) was answered as failed`);
        phantom++;
      }
    }
    const last = page.at(-1);
    if (!last || page.length < CHECK_PAGE_SIZE) break;
    after = last.id;
  }
  // What is left was acknowledged and never met among the stored orders.
  for (const [orderId, a] of acknowledged) {
    for (const _ of a.seats) {
      add('I2', `order ${orderId} (key ${a.key}) was acknowledged but is not stored`);
      lost++;
    }
  }
  acknowledged.clear();

  // I4: what is shown equals what is stored, over the seats in keyset pages.
  const shown = new Map<string, { eventId: string; status: string }>();
  for (const map of input.seatMaps ?? [])
    for (const seat of map.seats) shown.set(seat.id, { eventId: map.eventId, status: seat.status });
  let afterSeat = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = (
      await db.query<{ event_id: string; id: string; status: string; has_ticket: boolean }>(
        `SELECT s.event_id, s.id, s.status::text,
                EXISTS (SELECT 1 FROM tickets t WHERE t.seat_id = s.id AND t.event_id = s.event_id) AS has_ticket
           FROM seats s WHERE s.event_id = ANY($1::uuid[]) AND s.id > $2::uuid ORDER BY s.id LIMIT $3`,
        [eventIds, afterSeat, CHECK_PAGE_SIZE],
      )
    ).rows;
    for (const s of page) {
      if ((s.status === 'sold') !== s.has_ticket) {
        add('I4', `seat ${s.id} is ${s.status} but ${s.has_ticket ? 'has' : 'has no'} ticket`);
      }
      const view = shown.get(s.id);
      if (view) {
        if (view.status !== s.status)
          add('I4', `seat map of ${view.eventId} shows ${s.id} ${view.status}, stored ${s.status}`);
        shown.delete(s.id);
      }
    }
    const last = page.at(-1);
    if (!last || page.length < CHECK_PAGE_SIZE) break;
    afterSeat = last.id;
  }
  for (const [id, view] of shown)
    add('I4', `seat map of ${view.eventId} shows ${id} ${view.status}, stored undefined`);
  const totals = await db.query<{ id: string; total_cents: number; ticket_sum: number }>(
    `SELECT o.id, o.total_cents, coalesce(sum(t.price_cents), 0)::int AS ticket_sum
       FROM orders o LEFT JOIN tickets t ON t.order_id = o.id
      WHERE o.event_id = ANY($1::uuid[]) GROUP BY o.id HAVING o.total_cents <> coalesce(sum(t.price_cents), 0)`,
    [eventIds],
  );
  for (const t of totals.rows)
    add('I4', `order ${t.id} totals ${t.total_cents} but its tickets sum to ${t.ticket_sum}`);

  // I5: one order per key.
  for (const [k, ids] of moreOrdersOfKey)
    add('I5', `key ${k} was answered with ${ids.size} different orders`);

  return {
    valid: violations.length === 0 && omitted === 0,
    attempted: outcomes.size,
    ok,
    failed,
    indeterminate,
    oversold,
    lost,
    phantom,
    violations,
    ...(omitted ? { omittedViolations: omitted } : {}),
  };
}
