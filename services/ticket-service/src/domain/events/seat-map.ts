import { Prisma } from '../../generated/prisma/client.ts';
import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';

export interface SeatMapRead {
  version: number;
  /** Strong validator of the map: the event and its seat version. */
  etag: string;
  /** The map as JSON; its seats are read (or taken from the cache) only when asked for. */
  json(): Promise<string>;
}

/**
 * The version names the map. A map labelled V holds seats at least as new as V
 * (see below), and while the version is still V there is nothing newer: whoever
 * holds a map labelled V then holds the current one, so a 304 for it is right.
 */
export const seatMapEtag = (eventId: string, version: number) => `"${eventId}.${version}"`;

/**
 * The seat map with its version, serialized. The version is read before the
 * seats, so the seats are at least as new as the version: a client that resumes
 * the stream from it may see a change twice, never miss one.
 *
 * Every seat change bumps the version, so a map read at version V can be served
 * again for as long as the version is still V: the hottest read of a sale is
 * then one indexed lookup instead of a thousand rows. A client (or the gateway)
 * that already holds version V needs only that lookup: `json` is never called.
 */
export function createSeatMapReader(ctx: DomainContext, capacity = 256) {
  const cache = new Map<string, { version: number; json: string }>();

  async function seatMapJson(eventId: string, version: number): Promise<string> {
    const cached = cache.get(eventId);
    if (cached && cached.version === version) return cached.json;
    // Sections in the layout's order (the name only parts seats that a replica
    // without section_position wrote during a rolling upgrade: all 0).
    const seats = await ctx.db.$queryRaw<unknown[]>(Prisma.sql`
      SELECT id, section, "row", number, label, price_cents AS "priceCents", status::text AS status
        FROM seats WHERE event_id = ${eventId}::uuid
       ORDER BY section_position, section, "row", number`);
    const json = JSON.stringify({ eventId, version, seats });
    cache.delete(eventId);
    cache.set(eventId, { version, json });
    if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
    return json;
  }

  return async function readSeatMap(eventId: string): Promise<SeatMapRead> {
    const [event] = await ctx.db.$queryRaw<{ seat_version: bigint }[]>(
      Prisma.sql`SELECT seat_version FROM events WHERE id = ${eventId}::uuid`,
    );
    if (!event) throw notFound('event');
    const version = Number(event.seat_version);
    return { version, etag: seatMapEtag(eventId, version), json: () => seatMapJson(eventId, version) };
  };
}
