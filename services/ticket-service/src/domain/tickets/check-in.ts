// Check-in at the door: a signed ticket code admits its ticket once.
//
// Exactly once however many doors scan the code at once, on however many
// replicas: the ticket is marked by one conditional UPDATE (… WHERE checked_in_at
// IS NULL). The row lock serialises two such statements; the second, re-checking
// its condition on the row the first committed, updates nothing and reads the
// first one's time instead. No Redis lock is needed, and none of the purchase
// path's machinery is involved.
//
// A ticket of a cancelled order is refused (409 TICKET_CANCELLED). The statement
// holds the order's row FOR SHARE while it marks the ticket, so a cancellation
// (which updates that row) waits for the check-in to commit, or the check-in
// waits for the cancellation and then sees it: a cancellation that takes the
// order's row first and then looks for checked-in tickets never misses one.
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import type { Actor, DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import type { TicketCodes } from './ticket-code.ts';

interface Row {
  id: string;
  order_id: string;
  event_id: string;
  price_cents: number;
  checked_in_at: Date | null;
  order_status: string;
  seat_id: string;
  section: string;
  row: number;
  number: number;
  label: string;
}

function answer(r: Row) {
  return {
    ticket: { id: r.id, orderId: r.order_id, eventId: r.event_id, priceCents: r.price_cents },
    seat: { id: r.seat_id, section: r.section, row: r.row, number: r.number, label: r.label },
    checkedInAt: (r.checked_in_at as Date).toISOString(),
  };
}

export type CheckInResult = ReturnType<typeof answer>;

const unknownCode = () => notFound('ticket');

export async function checkIn(
  ctx: DomainContext,
  codes: TicketCodes,
  actor: Actor & { id: string },
  eventId: string,
  code: string,
): Promise<CheckInResult> {
  // A forged, mistyped or foreign code ends here, without a query.
  const ticketId = codes.verify(code);
  if (!ticketId) throw unknownCode();
  // Twice at most: the second try only if the ticket changed between the two
  // statements of the first (it cannot become unchecked, so this is for safety).
  for (let attempt = 0; attempt < 2; attempt++) {
    const admitted = await ctx.db.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<Row[]>(Prisma.sql`
        WITH live AS (
          SELECT o.id, o.status FROM orders o
           WHERE o.id = (SELECT order_id FROM tickets WHERE id = ${ticketId}::uuid AND event_id = ${eventId}::uuid)
             AND o.status <> 'cancelled'
           FOR SHARE
        ), done AS (
          UPDATE tickets t SET checked_in_at = now(), checked_in_by = ${actor.id}::uuid
           WHERE t.id = ${ticketId}::uuid AND t.event_id = ${eventId}::uuid
             AND t.checked_in_at IS NULL AND t.order_id IN (SELECT id FROM live)
          RETURNING t.id, t.order_id, t.event_id, t.seat_id, t.price_cents, t.checked_in_at
        )
        SELECT d.id, d.order_id, d.event_id, d.price_cents, d.checked_in_at, 'confirmed' AS order_status,
               s.id AS seat_id, s.section, s.row, s.number, s.label
          FROM done d JOIN seats s ON s.id = d.seat_id`);
      if (!row) return undefined;
      await recordAudit(tx, ctx.replica, {
        actor,
        action: 'ticket.check_in',
        subject: `ticket:${row.id}`,
        detail: { eventId, orderId: row.order_id, seatId: row.seat_id, seat: row.label },
      });
      return row;
    });
    if (admitted) return answer(admitted);

    const [row] = await ctx.db.$queryRaw<Row[]>(Prisma.sql`
      SELECT t.id, t.order_id, t.event_id, t.price_cents, t.checked_in_at, o.status AS order_status,
             s.id AS seat_id, s.section, s.row, s.number, s.label
        FROM tickets t JOIN orders o ON o.id = t.order_id JOIN seats s ON s.id = t.seat_id
       WHERE t.id = ${ticketId}::uuid AND t.event_id = ${eventId}::uuid`);
    // Another event's ticket, or one that no longer exists: as unknown as a forged code.
    if (!row) throw unknownCode();
    if (row.order_status === 'cancelled') {
      throw new AppError('TICKET_CANCELLED', 'This ticket belongs to a cancelled order.', {
        seat: answer({ ...row, checked_in_at: new Date(0) }).seat,
      });
    }
    if (row.checked_in_at) {
      const first = answer(row);
      throw new AppError('ALREADY_CHECKED_IN', 'This ticket was checked in before.', {
        checkedInAt: first.checkedInAt,
        ticket: first.ticket,
        seat: first.seat,
      });
    }
  }
  throw new AppError('UNAVAILABLE', 'The ticket changed while it was checked in; try again.');
}
