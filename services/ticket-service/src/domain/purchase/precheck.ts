// One cheap read before a one-step purchase claims anything. It refuses what is
// plainly not there (sold out, taken, sales closed) without a lock or a write,
// and says how much to authorize: the sum of the named seats, or N times the
// dearest available seat. The read may be a moment old; it can only refuse what
// was unavailable when it ran, and a "yes" is decided again under the lock.
import { Prisma } from '../../generated/prisma/client.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import type { SeatSelection } from './holds.ts';

export interface Inspection {
  refusal?: AppError;
  /** The most the selection can cost. */
  amountCents: number;
  currency: string;
}

interface SeatRow {
  id: string;
  status: string;
  price_cents: number;
}

export async function inspectSelection(
  ctx: DomainContext,
  eventId: string,
  selection: SeatSelection,
): Promise<Inspection> {
  const [event] = await ctx.db.$queryRaw<{ status: string; currency: string }[]>(Prisma.sql`
    SELECT status::text, currency FROM events WHERE id = ${eventId}::uuid`);
  if (!event) throw notFound('event');
  const requested = 'seatIds' in selection ? selection.seatIds : [];
  if (event.status !== 'on_sale') {
    return {
      refusal: new AppError('SEAT_UNAVAILABLE', 'Sales for this event are closed.', {
        unavailable: requested,
      }),
      amountCents: 0,
      currency: event.currency,
    };
  }
  if ('quantity' in selection) {
    // The dearest available seats first: their count says whether enough remain,
    // and the first one is the dearest available seat.
    const top = await ctx.db.$queryRaw<SeatRow[]>(Prisma.sql`
      SELECT id, 'available' AS status, price_cents FROM seats
       WHERE event_id = ${eventId}::uuid AND status = 'available'
       ORDER BY price_cents DESC LIMIT ${selection.quantity}`);
    const refusal =
      top.length < selection.quantity
        ? new AppError('SOLD_OUT', `Fewer than ${selection.quantity} seats remain for this event.`, {
            remaining: top.length,
          })
        : undefined;
    return {
      refusal,
      amountCents: (top[0]?.price_cents ?? 0) * selection.quantity,
      currency: event.currency,
    };
  }
  const seats = await ctx.db.$queryRaw<SeatRow[]>(Prisma.sql`
    SELECT id, status::text, price_cents FROM seats
     WHERE event_id = ${eventId}::uuid AND id = ANY(${requested}::uuid[])`);
  const taken = new Set(seats.filter((s) => s.status !== 'available').map((s) => s.id));
  const refusal =
    taken.size > 0
      ? new AppError('SEAT_UNAVAILABLE', 'Some of the requested seats are held or sold.', {
          unavailable: requested.filter((id) => taken.has(id)),
        })
      : undefined;
  return { refusal, amountCents: seats.reduce((n, s) => n + s.price_cents, 0), currency: event.currency };
}
