import { Prisma } from '../../generated/prisma/client.ts';
import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';

/**
 * The seat map with its version, serialized. The version is read before the
 * seats, so the seats are at least as new as the version: a client that resumes
 * the stream from it may see a change twice, never miss one.
 *
 * Every seat change bumps the version, so a map read at version V can be served
 * again for as long as the version is still V: the hottest read of a sale is
 * then one indexed lookup instead of a thousand rows.
 */
export function createSeatMapReader(ctx: DomainContext, capacity = 256) {
  const cache = new Map<string, { version: number; json: string }>();
  return async function seatMapJson(eventId: string): Promise<string> {
    const [event] = await ctx.db.$queryRaw<{ seat_version: bigint }[]>(
      Prisma.sql`SELECT seat_version FROM events WHERE id = ${eventId}::uuid`,
    );
    if (!event) throw notFound('event');
    const version = Number(event.seat_version);
    const cached = cache.get(eventId);
    if (cached && cached.version === version) return cached.json;
    const seats = await ctx.db.$queryRaw<unknown[]>(Prisma.sql`
      SELECT id, section, "row", number, label, price_cents AS "priceCents", status::text AS status
        FROM seats WHERE event_id = ${eventId}::uuid
       ORDER BY section, "row", number`);
    const json = JSON.stringify({ eventId, version, seats });
    cache.delete(eventId);
    cache.set(eventId, { version, json });
    if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
    return json;
  };
}
