import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';

/**
 * The seat map with its version. The version is read before the seats, so the
 * seats are at least as new as the version: a client that resumes the stream
 * from it may see a change twice, never miss one.
 */
export async function seatMap(ctx: DomainContext, eventId: string) {
  const event = await ctx.db.event.findUnique({ where: { id: eventId }, select: { seatVersion: true } });
  if (!event) throw notFound('event');
  const seats = await ctx.db.seat.findMany({
    where: { eventId },
    orderBy: [{ section: 'asc' }, { row: 'asc' }, { number: 'asc' }],
    select: { id: true, section: true, row: true, number: true, label: true, priceCents: true, status: true },
  });
  return { eventId, version: Number(event.seatVersion), seats };
}
