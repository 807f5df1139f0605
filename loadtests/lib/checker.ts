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

export async function checkInvariants(
  db: Queryable,
  input: { eventIds: string[]; history: Attempt[]; seatMaps?: SeatMapView[] },
): Promise<CheckReport> {
  const { eventIds, history } = input;
  const violations: Violation[] = [];
  const add = (invariant: Violation['invariant'], detail: string) => violations.push({ invariant, detail });

  const orders = (
    await db.query<StoredOrder>(
      `SELECT o.id, o.event_id, o.user_id, o.total_cents, r.key,
              coalesce(array_agg(t.seat_id::text ORDER BY t.seat_id) FILTER (WHERE t.seat_id IS NOT NULL), '{}') AS seat_ids
         FROM orders o
         LEFT JOIN tickets t ON t.order_id = o.id
         LEFT JOIN idempotency_records r ON r.order_id = o.id AND r.user_id = o.user_id
        WHERE o.event_id = ANY($1::uuid[])
        GROUP BY o.id, r.key`,
      [eventIds],
    )
  ).rows;
  const byId = new Map(orders.map((o) => [o.id, o]));

  // I1: from the database and from the answers.
  const doubleTickets = await db.query<{ seat_id: string; n: number }>(
    `SELECT seat_id, count(*)::int AS n FROM tickets WHERE event_id = ANY($1::uuid[]) GROUP BY seat_id HAVING count(*) > 1`,
    [eventIds],
  );
  for (const r of doubleTickets.rows) add('I1', `seat ${r.seat_id} has ${r.n} tickets`);
  const answeredSeat = new Map<string, string>();
  let oversold = doubleTickets.rows.length;
  for (const a of history) {
    if (a.outcome !== 'ok' || !a.orderId) continue;
    for (const seat of a.seatIds ?? []) {
      const other = answeredSeat.get(seat);
      if (other && other !== a.orderId) {
        add('I1', `seat ${seat} was answered as sold by orders ${other} and ${a.orderId}`);
        oversold++;
      }
      answeredSeat.set(seat, a.orderId);
    }
  }
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

  // I2: every acknowledged order survives, with its seats.
  let lost = 0;
  for (const a of history) {
    if (a.outcome !== 'ok' || !a.orderId) continue;
    const stored = byId.get(a.orderId);
    if (!stored) {
      add('I2', `order ${a.orderId} (key ${a.key}) was acknowledged but is not stored`);
      lost++;
    } else if (a.seatIds && [...a.seatIds].sort().join() !== [...stored.seat_ids].sort().join()) {
      add('I2', `order ${a.orderId} was answered with other seats than it stores`);
      lost++;
    }
  }

  // I3: no stored order for a definite failure, nor for a key nobody sent.
  const outcomes = new Map<string, Set<Outcome>>();
  for (const a of history) {
    const k = `${a.userId}:${a.key}`;
    outcomes.set(k, (outcomes.get(k) ?? new Set()).add(a.outcome));
  }
  let phantom = 0;
  for (const o of orders) {
    const seen = o.key ? outcomes.get(`${o.user_id}:${o.key}`) : undefined;
    if (!seen) {
      add('I3', `order ${o.id} is stored but no attempt sent its key`);
      phantom++;
    } else if (!seen.has('ok') && !seen.has('info')) {
      add('I3', `order ${o.id} is stored although its attempt (key ${o.key}) was answered as failed`);
      phantom++;
    }
  }

  // I4: what is shown equals what is stored.
  const seatRows = await db.query<{ event_id: string; id: string; status: string; has_ticket: boolean }>(
    `SELECT s.event_id, s.id, s.status::text,
            EXISTS (SELECT 1 FROM tickets t WHERE t.seat_id = s.id AND t.event_id = s.event_id) AS has_ticket
       FROM seats s WHERE s.event_id = ANY($1::uuid[])`,
    [eventIds],
  );
  for (const s of seatRows.rows) {
    if ((s.status === 'sold') !== s.has_ticket) {
      add('I4', `seat ${s.id} is ${s.status} but ${s.has_ticket ? 'has' : 'has no'} ticket`);
    }
  }
  const stored = new Map(seatRows.rows.map((s) => [s.id, s.status]));
  for (const map of input.seatMaps ?? []) {
    for (const seat of map.seats) {
      if (stored.get(seat.id) !== seat.status) {
        add(
          'I4',
          `seat map of ${map.eventId} shows ${seat.id} ${seat.status}, stored ${stored.get(seat.id)}`,
        );
      }
    }
  }
  const totals = await db.query<{ id: string; total_cents: number; ticket_sum: number }>(
    `SELECT o.id, o.total_cents, coalesce(sum(t.price_cents), 0)::int AS ticket_sum
       FROM orders o LEFT JOIN tickets t ON t.order_id = o.id
      WHERE o.event_id = ANY($1::uuid[]) GROUP BY o.id HAVING o.total_cents <> coalesce(sum(t.price_cents), 0)`,
    [eventIds],
  );
  for (const t of totals.rows)
    add('I4', `order ${t.id} totals ${t.total_cents} but its tickets sum to ${t.ticket_sum}`);

  // I5: one order per key.
  const okOrders = new Map<string, Set<string>>();
  for (const a of history) {
    if (a.outcome !== 'ok' || !a.orderId) continue;
    const k = `${a.userId}:${a.key}`;
    okOrders.set(k, (okOrders.get(k) ?? new Set()).add(a.orderId));
  }
  for (const [k, ids] of okOrders) {
    if (ids.size > 1) add('I5', `key ${k} was answered with ${ids.size} different orders`);
  }

  return {
    valid: violations.length === 0,
    attempted: new Set(history.map((a) => `${a.userId}:${a.key}`)).size,
    ok: history.filter((a) => a.outcome === 'ok').length,
    failed: history.filter((a) => a.outcome === 'fail').length,
    indeterminate: history.filter((a) => a.outcome === 'info').length,
    oversold,
    lost,
    phantom,
    violations,
  };
}
