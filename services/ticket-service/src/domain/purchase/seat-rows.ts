// The one read that fills an event's seat view (seat-view.ts): every seat with
// its owner, at the seat version read with them, in order of preference.
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import { notFound } from '../errors.ts';
import type { SeatStatus } from './context.ts';

export interface SeatRow {
  id: string;
  section: string;
  row: number;
  number: number;
  label: string;
  priceCents: number;
  status: SeatStatus;
  /** The customer of the seat's order or active hold (null while it is available). */
  owner: string | null;
  sectionPosition: number;
}

export async function loadSeatRows(
  db: PrismaClient,
  eventId: string,
): Promise<{ currency: string; version: number; seats: SeatRow[] }> {
  // One statement, so the seats are exactly at the version read with them. The
  // seats come as one JSON text that JSON.parse reads natively: Prisma maps a
  // raw result cell by cell, which for a hall of thousands of rows took tens of
  // milliseconds — paid by the first buyers of an event. A seat's owner comes
  // from its order (sold) or hold (held), both joined within the event.
  const [event] = await db.$queryRaw<{ currency: string; seat_version: bigint; seats: string }[]>(Prisma.sql`
    SELECT e.currency, e.seat_version,
           (SELECT coalesce(json_agg(json_build_array(s.id, s.section, s."row", s.number, s.label,
                                                      s.price_cents, s.status::text,
                                                      coalesce(o.user_id, h.user_id),
                                                      s.section_position)), '[]')
              FROM seats s
              LEFT JOIN orders o ON s.status = 'sold' AND o.id = s.order_id AND o.event_id = e.id
              LEFT JOIN holds h ON s.status = 'held' AND h.id = s.hold_id AND h.event_id = e.id
             WHERE s.event_id = e.id)::text AS seats
      FROM events e WHERE e.id = ${eventId}::uuid`);
  if (!event) throw notFound('event');
  const seats = (
    JSON.parse(event.seats) as [
      string,
      string,
      number,
      number,
      string,
      number,
      SeatStatus,
      string | null,
      number,
    ][]
  ).map(
    ([id, section, row, number, label, priceCents, status, owner, sectionPosition]): SeatRow => ({
      id,
      section,
      row,
      number,
      label,
      priceCents,
      status,
      owner,
      sectionPosition,
    }),
  );
  seats.sort(
    (a, b) =>
      b.priceCents - a.priceCents ||
      // Sections in the layout's order (the name only breaks ties of
      // events created before the order was stored: all at position 0).
      a.sectionPosition - b.sectionPosition ||
      (a.section < b.section ? -1 : a.section > b.section ? 1 : 0) ||
      a.row - b.row ||
      a.number - b.number,
  );
  return { currency: event.currency, version: Number(event.seat_version), seats };
}
