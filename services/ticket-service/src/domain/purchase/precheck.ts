// A cheap read before a one-step purchase claims anything: when the seats are
// plainly not there (sold out, taken, sales closed), the answer needs neither a
// lock nor a write. The read may be a moment old; it can only refuse what was
// unavailable when it ran, and a "yes" is decided again under the lock.
import { Prisma } from '../../generated/prisma/client.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import type { SeatSelection } from './holds.ts';

export async function precheckSelection(
  ctx: DomainContext,
  eventId: string,
  selection: SeatSelection,
): Promise<AppError | undefined> {
  const event = await ctx.db.event.findUnique({ where: { id: eventId }, select: { status: true } });
  if (!event) throw notFound('event');
  const requested = 'seatIds' in selection ? selection.seatIds.map((id) => id.toLowerCase()) : [];
  if (event.status !== 'on_sale') {
    return new AppError('SEAT_UNAVAILABLE', 'Sales for this event are closed.', { unavailable: requested });
  }
  if ('quantity' in selection) {
    const [row] = await ctx.db.$queryRaw<{ n: number }[]>(Prisma.sql`
      SELECT count(*)::int AS n FROM (
        SELECT 1 FROM seats WHERE event_id = ${eventId}::uuid AND status = 'available' LIMIT ${selection.quantity}
      ) s`);
    if ((row?.n ?? 0) < selection.quantity) {
      return new AppError('SOLD_OUT', `Fewer than ${selection.quantity} seats remain for this event.`, {
        remaining: row?.n ?? 0,
      });
    }
    return undefined;
  }
  const taken = await ctx.db.$queryRaw<{ id: string }[]>(Prisma.sql`
    SELECT id FROM seats
     WHERE event_id = ${eventId}::uuid AND id = ANY(${requested}::uuid[]) AND status <> 'available'`);
  if (taken.length === 0) return undefined;
  const set = new Set(taken.map((t) => t.id));
  return new AppError('SEAT_UNAVAILABLE', 'Some of the requested seats are held or sold.', {
    unavailable: requested.filter((id) => set.has(id)),
  });
}

/** The most a selection can cost: what to authorize before the seats are chosen. */
export async function priceBound(
  ctx: DomainContext,
  eventId: string,
  selection: SeatSelection,
): Promise<{ amountCents: number; currency: string }> {
  const event = await ctx.db.event.findUnique({ where: { id: eventId }, select: { currency: true } });
  if (!event) throw notFound('event');
  const [row] =
    'seatIds' in selection
      ? await ctx.db.$queryRaw<{ cents: number }[]>(Prisma.sql`
          SELECT coalesce(sum(price_cents), 0)::int AS cents FROM seats
           WHERE event_id = ${eventId}::uuid AND id = ANY(${selection.seatIds}::uuid[])`)
      : await ctx.db.$queryRaw<{ cents: number }[]>(Prisma.sql`
          SELECT (coalesce(max(price_cents), 0) * ${selection.quantity})::int AS cents FROM seats
           WHERE event_id = ${eventId}::uuid AND status = 'available'`);
  return { amountCents: row?.cents ?? 0, currency: event.currency };
}
