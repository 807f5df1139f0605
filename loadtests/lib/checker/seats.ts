// The stored seats and tickets: I1 (no seat sold twice, no event over capacity)
// and I4 (seat status matches the tickets, the seat maps shown match the stored
// seats, order totals match their tickets).
import type { Add, SeatMapView } from '../checker.ts';
import { keysetPages, type Queryable } from './pages.ts';

// Tickets count while they are live (not cancelled): a cancelled order's tickets
// stay in the table, and its seats may be sold again. The condition is also what
// lets PostgreSQL use the partial unique index on (event_id, seat_id): without it
// every seat's lookup scans the tickets of every run the database ever held.

/** I1 from the database; returns how many seats were oversold. */
export async function checkCapacity(db: Queryable, eventIds: string[], add: Add): Promise<number> {
  let oversold = 0;
  const doubleTickets = await db.query<{ seat_id: string; n: number }>(
    `SELECT seat_id, count(*)::int AS n FROM tickets
      WHERE event_id = ANY($1::uuid[]) AND cancelled_at IS NULL GROUP BY seat_id HAVING count(*) > 1`,
    [eventIds],
  );
  for (const r of doubleTickets.rows) add('I1', `seat ${r.seat_id} has ${r.n} tickets`);
  oversold += doubleTickets.rows.length;
  const capacity = await db.query<{ event_id: string; seat_count: number; tickets: number }>(
    `SELECT e.id AS event_id, e.seat_count, (SELECT count(*)::int FROM tickets t WHERE t.event_id = e.id AND t.cancelled_at IS NULL) AS tickets
       FROM events e WHERE e.id = ANY($1::uuid[])`,
    [eventIds],
  );
  for (const c of capacity.rows) {
    if (c.tickets > c.seat_count) {
      add('I1', `event ${c.event_id} has ${c.tickets} tickets for ${c.seat_count} seats`);
      oversold += c.tickets - c.seat_count;
    }
  }
  return oversold;
}

const SEATS_PAGE = `
  SELECT s.event_id, s.id, s.status::text,
         EXISTS (SELECT 1 FROM tickets t
                  WHERE t.event_id = s.event_id AND t.seat_id = s.id AND t.cancelled_at IS NULL) AS has_ticket
    FROM seats s WHERE s.event_id = ANY($1::uuid[]) AND s.id > $2::uuid ORDER BY s.id LIMIT $3`;

/** I4: what is shown equals what is stored, over the seats in keyset pages; totals add up. */
export async function checkSeatsShown(
  db: Queryable,
  eventIds: string[],
  pageSize: number,
  seatMaps: SeatMapView[],
  add: Add,
): Promise<void> {
  const shown = new Map<string, { eventId: string; status: string }>();
  for (const map of seatMaps)
    for (const seat of map.seats) shown.set(seat.id, { eventId: map.eventId, status: seat.status });
  type Row = { event_id: string; id: string; status: string; has_ticket: boolean };
  for await (const page of keysetPages<Row>(db, SEATS_PAGE, eventIds, pageSize)) {
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
}
