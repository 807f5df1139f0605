// A purchase round's state: what its decisions start from. Either read from
// PostgreSQL in one statement, or taken from the replica's seat view when that is
// exact under the lock (see sell-batch.ts for why it may be).
import type { SeatSelection } from '@tickets/contract/purchase';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import type { Buyer } from './context.ts';
import { type Candidate, windowFor } from './pick-seats.ts';
import type { EventSeats, ViewSeat } from './seat-view.ts';

export interface BuyRequest {
  buyer: Buyer;
  selection: SeatSelection;
  /** For best-N: the dearest seat the authorization covers. */
  maxSeatPrice?: number;
  /** The event's maxTicketsPerCustomer as this replica knew it (undefined: unknown, the write checks). */
  maxTickets?: number;
  /** The Idempotency-Key and the hash of the request it names; stored with the order. */
  key: string;
  hash: string;
  paymentRef: string;
}

export interface BatchState {
  eventStatus: string | undefined;
  /** The named seats of this batch that are available. */
  free: Set<string>;
  window: Candidate[];
  windowComplete: boolean;
  /** Per buyer of the batch: seats of the event they have (tickets and held seats). */
  owned: Map<string, number>;
  /** The stored maxTicketsPerCustomer when read; undefined: each request's own. */
  limit: number | undefined;
}

/** No price bound: the largest int4, which the window's query compares with. */
export const NO_BOUND = 2_147_483_647;

/**
 * The event's status, which named seats are available, the best-N window, the
 * per-customer limit and each buyer's count (tickets_customer_count: tickets of
 * orders not cancelled plus seats of active holds), in one statement that
 * answers one row. Everything else about a seat (section, row, number, price,
 * label) never changes after the event is created and comes from the replica's
 * seat view, so the read stays small.
 */
export async function read(
  db: PrismaClient,
  eventId: string,
  requests: BuyRequest[],
  layout: EventSeats,
): Promise<BatchState> {
  const named = requests.flatMap((r) => ('seatIds' in r.selection ? r.selection.seatIds : []));
  const { bound, limit } = windowNeeds(requests, named.length);
  const buyers = buyersOf(requests);
  // The window's inner ORDER BY … LIMIT is served by the partial index on
  // available seats (see pick-seats.ts).
  const [row] = await db.$queryRaw<
    { status: string; free: string[]; window: string[]; max_tickets: number; owned: number[] }[]
  >(Prisma.sql`
    SELECT e.status::text AS status, e.max_tickets_per_customer AS max_tickets,
           (SELECT coalesce(array_agg(tickets_customer_count(e.id, b.id) ORDER BY b.n), '{}')
              FROM unnest(${buyers}::uuid[]) WITH ORDINALITY AS b(id, n)) AS owned,
           (SELECT coalesce(array_agg(s.id), '{}') FROM seats s
             WHERE s.id = ANY(${named}::uuid[]) AND s.event_id = e.id AND s.status = 'available') AS free,
           (SELECT coalesce(array_agg(w.id ORDER BY w.price_cents DESC, w.section_position, w."row", w.number), '{}')
              FROM (SELECT id, price_cents, section_position, "row", number FROM seats
                     WHERE event_id = e.id AND status = 'available' AND price_cents <= ${bound}
                     ORDER BY price_cents DESC, section_position, "row", number
                     LIMIT ${limit}) AS w) AS window
      FROM events e WHERE e.id = ${eventId}::uuid`);
  const window = (row?.window ?? []).flatMap((id): Candidate[] => {
    const seat = layout.seats.get(id);
    return seat ? [candidate(seat)] : [];
  });
  return {
    eventStatus: row?.status,
    free: new Set(row?.free ?? []),
    window,
    windowComplete: (row?.window.length ?? 0) < limit,
    owned: new Map(buyers.map((id, i) => [id, row?.owned[i] ?? 0])),
    limit: row?.max_tickets,
  };
}

/** The same state as `read`, from an exact view: no statement at all. */
export function fromView(view: EventSeats, requests: BuyRequest[]): BatchState {
  const named = requests.flatMap((r) => ('seatIds' in r.selection ? r.selection.seatIds : []));
  const { wanted, bound, limit } = windowNeeds(requests, named.length);
  const { seats, complete } = view.availableInOrder(limit, bound);
  return {
    // The view does not follow the event's status; the write checks it.
    eventStatus: 'on_sale',
    free: new Set(named.filter((id) => view.seats.get(id)?.status === 'available')),
    window: wanted > 0 ? seats.map(candidate) : [],
    windowComplete: complete,
    owned: new Map(buyersOf(requests).map((id) => [id, view.owned(id)])),
    limit: undefined,
  };
}

const buyersOf = (requests: BuyRequest[]) => [...new Set(requests.map((r) => r.buyer.id))];

function windowNeeds(requests: BuyRequest[], named: number) {
  const wanted = requests.reduce((n, r) => n + ('quantity' in r.selection ? r.selection.quantity : 0), 0);
  const bound = Math.max(
    0,
    ...requests.filter((r) => 'quantity' in r.selection).map((r) => r.maxSeatPrice ?? NO_BOUND),
  );
  return { wanted, bound, limit: wanted > 0 ? windowFor(wanted, named) : 0 };
}

const candidate = (seat: ViewSeat): Candidate => ({
  id: seat.id,
  section: seat.section,
  row: seat.row,
  number: seat.number,
  price_cents: seat.priceCents,
  label: seat.label,
});
