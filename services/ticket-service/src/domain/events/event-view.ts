// Events as the API shows them: stored fields plus counts derived from the seats,
// so the numbers shown always equal what is stored (invariant I4).
import { Prisma } from '../../generated/prisma/client.ts';
import type { Db } from '../context.ts';
import { eventImageUrl } from './event-image-url.ts';

export interface SeatCounts {
  available: number;
  held: number;
  sold: number;
  minPriceCents: number;
  maxPriceCents: number;
}

export async function seatCounts(db: Db, eventIds: string[]): Promise<Map<string, SeatCounts>> {
  if (eventIds.length === 0) return new Map();
  const rows = await db.$queryRaw<
    {
      event_id: string;
      available: number;
      held: number;
      sold: number;
      min_price: number;
      max_price: number;
    }[]
  >(Prisma.sql`
    SELECT event_id,
           count(*) FILTER (WHERE status = 'available')::int AS available,
           count(*) FILTER (WHERE status = 'held')::int AS held,
           count(*) FILTER (WHERE status = 'sold')::int AS sold,
           min(price_cents)::int AS min_price,
           max(price_cents)::int AS max_price
      FROM seats
     WHERE event_id = ANY(${eventIds}::uuid[])
     GROUP BY event_id`);
  return new Map(
    rows.map((r) => [
      r.event_id,
      {
        available: r.available,
        held: r.held,
        sold: r.sold,
        minPriceCents: r.min_price,
        maxPriceCents: r.max_price,
      },
    ]),
  );
}

interface EventRow {
  id: string;
  title: string;
  description: string;
  venue: string;
  startsAt: Date;
  currency: string;
  status: 'on_sale' | 'closed';
  seatCount: number;
  salesStartAt: Date | null;
  waitingRoomEnabled: boolean;
  admitPerMinute: number | null;
  maxTicketsPerCustomer: number;
  imageHash: string | null;
}

export function eventView(e: EventRow, counts: SeatCounts | undefined) {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    venue: e.venue,
    startsAt: e.startsAt.toISOString(),
    currency: e.currency,
    status: e.status,
    seatCount: e.seatCount,
    availableCount: counts?.available ?? 0,
    minPriceCents: counts?.minPriceCents ?? 0,
    maxPriceCents: counts?.maxPriceCents ?? 0,
    salesStartAt: e.salesStartAt?.toISOString() ?? null,
    // An event that never had a waiting room has no rate either: null.
    waitingRoom:
      e.admitPerMinute === null ? null : { enabled: e.waitingRoomEnabled, admitPerMinute: e.admitPerMinute },
    maxTicketsPerCustomer: e.maxTicketsPerCustomer,
    imageUrl: eventImageUrl(e.id, e.imageHash),
  };
}

export type EventView = ReturnType<typeof eventView>;

export async function eventViews(db: Db, events: EventRow[]): Promise<EventView[]> {
  const counts = await seatCounts(
    db,
    events.map((e) => e.id),
  );
  return events.map((e) => eventView(e, counts.get(e.id)));
}
