// Group commit: every one-step purchase that queued for an event on this replica
// while the previous round ran is sold together, in ONE statement whatever the
// batch size:
//
//   1. decide in memory who gets what, from the replica's seat view when it is
//      exact (see below), else from one read (the event's status, which named
//      seats are available, for best-N requests a window of available seats in
//      order of preference — ids only: the rest of a seat never changes and
//      comes from the seat view —, the per-customer limit and how many seats
//      each buyer of the round has);
//   2. one write, fenced: it checks this holder's epoch on the event row (or, as
//      the hold's first write, takes the next epoch on condition that the event
//      is at the version the view is whole up to), marks the seats sold, inserts
//      orders, tickets and the buyers' Idempotency-Keys, writes the operation log
//      — and refuses to commit (tickets_assert) unless exactly what was decided
//      changed and no buyer has more seats than the event allows a customer.
//
// Why the view, or a read outside the write's transaction, may decide: every
// seat change of an event is fenced by its lock epoch. A writer with an older
// epoch that was already inside its transaction finished before our epoch
// existed (it held the event row); one that was not is refused by its fence. So
// while this holder's fence holds, nobody else changes these seats, and a view
// that has seen every change up to the holder's version is exact. The write
// checks it anyway: a seat not available, a key already stored or sales closed
// make it raise, and nothing of it stays. If the fence fails, nothing is written
// and every buyer of the batch hears 503.
//
// The per-customer limit (maxTicketsPerCustomer: tickets plus held seats per
// customer and event) is decided the same way: the seat view knows who has each
// seat, so under the lock it counts each buyer's seats exactly, and the round
// adds what it gives each buyer as it decides. The limit itself comes with each
// request from the replica's copy of the event's settings; the read, when there
// is one, answers the stored one. The write asserts it again; a buyer found over
// it (a limit lowered since, a view that was wrong) makes the round decide again
// from the database.
//
// Each purchase keeps its own outcome: one buyer's refusal (seat taken earlier
// in the same batch, too few seats left, over the limit, sales closed) never
// fails the others, because refusals are decided before anything is written; a
// request whose key is stored already is left out and replays. What fails the whole batch is what
// would fail a single purchase: a lost fence, the database.
//
// Why raw SQL: Prisma cannot express per-row values through unnest, data-modifying
// CTEs or a statement-level assertion, and one statement per batch instead of
// several per purchase is the point of this module.
import { randomUUID } from 'node:crypto';
import type { SeatSelection } from '@tickets/contract/purchase';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import type { HeldLock, ItemOutcome } from '../../lib/event-lock.ts';
import type { Actor } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import type { PurchaseContext } from './context.ts';
import { fencedOut } from './fence.ts';
import { KeyUsed } from './idempotency.ts';
import type { OrderView } from './orders.ts';
import { type Candidate, pickBest, soldOut, windowFor } from './pick-seats.ts';
import { BatchConflict, type Fence, type Written } from './sale-writer.ts';
import { limitExceeded, notThisEvent } from './seat-claims.ts';
import type { EventSeats, ViewSeat } from './seat-view.ts';

type Buyer = Actor & { id: string };

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

/** What the buyer is answered: built from the batch's own rows, so no read follows the write. */
export interface Settlement {
  orderId: string;
  totalCents: number;
  view: OrderView;
}

type Sold = { id: string; price_cents: number; label: string };
type Decision = { ok: true; orderId: string; seats: Sold[] } | { ok: false; error: AppError | KeyUsed };

interface BatchState {
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

const NO_BOUND = 2_147_483_647;

const closed = (r: BuyRequest) =>
  new AppError('SEAT_UNAVAILABLE', 'Sales for this event are closed.', {
    unavailable: 'seatIds' in r.selection ? r.selection.seatIds : [],
  });

export async function sellBatch(
  ctx: PurchaseContext,
  eventId: string,
  lock: HeldLock,
  requests: BuyRequest[],
  layout: EventSeats,
): Promise<ItemOutcome<Settlement>[]> {
  const createdAt = new Date();
  // Under the lock nobody else changes this event's seats, so a view that has
  // seen every change up to the holder's version is exact: decide from it and
  // write at once. Otherwise (a change still on its way, a lost message) read.
  const view = ctx.seatViews.current(eventId) ?? layout;
  // The first write of a hold takes the epoch itself, on condition that the
  // event is still at the version the view is whole up to (one statement for
  // both); later writes check the epoch. A view that is not whole first takes
  // the epoch on its own and then reads.
  if (lock.epoch === undefined && view.version() === undefined) await lock.takeEpoch();
  let exact = lock.epoch === undefined || view.caughtUp(lock.version);
  let decided: Decision[];
  let written: Written | undefined;
  // Requests whose key an earlier request used: they buy nothing and replay.
  let used = new Set<number>();
  // The write found a buyer over the limit although the view was exact: either
  // the limit was lowered since this replica's copy, or the view is wrong.
  let overLimitFromView = false;
  for (let attempt = 0; ; attempt++) {
    const basis = lock.epoch === undefined ? view.version() : undefined;
    if (lock.epoch === undefined && basis === undefined) {
      await lock.takeEpoch();
      exact = view.caughtUp(lock.version);
    }
    const state = exact ? fromView(view, requests) : await read(ctx.db, eventId, requests, view);
    if (state.eventStatus === undefined) return requests.map(() => ({ ok: false, error: notFound('event') }));
    if (overLimitFromView) {
      overLimitFromView = false;
      // Only a view whose counts differ from the database's is wrong (a stale
      // limit is not the view's fault: it reloads nothing for that).
      if ([...state.owned].some(([buyer, n]) => view.owned(buyer) !== n)) view.distrust();
    }
    decided =
      state.eventStatus === 'on_sale'
        ? decide(state, requests, view, used)
        : requests.map((r): Decision => ({ ok: false, error: closed(r) }));
    // Nothing to sell: nothing is written, not even a new seat version.
    if (!decided.some((d) => d.ok)) {
      return decided.map((d) => ({ ok: false, error: (d as { error: AppError | KeyUsed }).error }));
    }
    // A pause here (GC, SIGSTOP, a slow network) is the dangerous one: decided, not yet written.
    await ctx.faults.inCriticalSection?.(eventId);
    try {
      const fence: Fence = lock.epoch !== undefined ? { epoch: lock.epoch } : { takeAt: basis ?? Number.NaN };
      written = await write(ctx, eventId, fence, requests, decided, createdAt);
      if (written || lock.epoch !== undefined) break;
      // The event is past the view's version (a change on its way, or a stale
      // holder wrote): take the epoch on its own and decide again from the
      // database — unless this holder's own lease ran out meanwhile.
      try {
        await lock.takeEpoch();
      } catch (err) {
        if (lock.lost) throw await fencedOut(ctx, eventId, undefined);
        throw err;
      }
      exact = false;
    } catch (err) {
      if (!(err instanceof BatchConflict)) {
        // The outcome is unknown (the write may have committed): the rest of
        // this hold reads the database rather than trust the view.
        lock.version = Number.POSITIVE_INFINITY;
        throw err;
      }
      // Sales were closed (PATCH is not fenced): every buyer is told so.
      if (err.kind === 'closed') return requests.map((r) => ({ ok: false, error: closed(r) }));
      if (attempt >= 3) throw err.answer();
      if (err.kind === 'limit') {
        // A buyer would pass the limit: decide again from the database, which
        // answers the stored limit and every buyer's count (also when the limit
        // was lowered between a read and this write).
        overLimitFromView = exact;
        await lock.takeEpoch();
        exact = false;
        continue;
      }
      if (err.kind === 'keys') {
        // Some keys were used before: leave those requests out and write the rest.
        used = await usedKeys(ctx, requests);
        continue;
      }
      // The view was wrong after all: distrust it and decide again from the database.
      if (!exact) throw err.answer();
      view.distrust();
      await lock.takeEpoch();
      exact = false;
    }
  }
  if (!written) {
    lock.lost = true;
    throw await fencedOut(ctx, eventId, lock.epoch);
  }
  lock.epoch = written.epoch;
  lock.version = written.version;
  const changes = decided.flatMap((d, i) =>
    d.ok
      ? d.seats.map((s) => ({
          id: s.id,
          status: 'sold' as const,
          owner: (requests[i] as BuyRequest).buyer.id,
        }))
      : [],
  );
  ctx.publishSeats(eventId, written.version, changes);
  return requests.map((request, i): ItemOutcome<Settlement> => {
    const d = decided[i] as Decision;
    if (!d.ok) return { ok: false, error: d.error };
    try {
      ctx.faults.afterCommit?.('order');
    } catch (error) {
      return { ok: false, error };
    }
    return { ok: true, value: settlement(eventId, request, d, written, createdAt) };
  });
}

/**
 * The event's status, which named seats are available, the best-N window, the
 * per-customer limit and each buyer's count (tickets_customer_count: tickets of
 * orders not cancelled plus seats of active holds), in one statement that
 * answers one row. Everything else about a seat (section, row, number, price,
 * label) never changes after the event is created and comes from the replica's
 * seat view, so the read stays small.
 */
async function read(
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
function fromView(view: EventSeats, requests: BuyRequest[]): BatchState {
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

/** Who gets which seats: requests by seat id first, in queue order, then best-N. */
function decide(
  state: BatchState,
  requests: BuyRequest[],
  layout: EventSeats,
  used: Set<number>,
): Decision[] {
  const { free, window } = state;
  const taken = new Set<string>();
  // Per buyer: the seats they had, plus those this round gave them so far.
  const counted = new Map(state.owned);
  const overLimit = (r: BuyRequest, seats: number): AppError | undefined => {
    const limit = state.limit ?? r.maxTickets;
    const has = counted.get(r.buyer.id) ?? 0;
    return limit !== undefined && has + seats > limit ? limitExceeded(limit, has) : undefined;
  };
  const give = (r: BuyRequest, seats: number) =>
    counted.set(r.buyer.id, (counted.get(r.buyer.id) ?? 0) + seats);
  // One key, one order: a second request with a key in the same batch replays the first.
  const keys = new Set<string>();
  requests.forEach((r, i) => {
    const k = `${r.buyer.id}\u0000${r.key}`;
    if (keys.has(k)) used.add(i);
    keys.add(k);
  });
  const decisions: Decision[] = requests.map((r, i) => {
    if (used.has(i)) return { ok: false, error: new KeyUsed() };
    if (!('seatIds' in r.selection)) return { ok: false, error: soldOut(0, 0) };
    const ids = r.selection.seatIds;
    const foreign = ids.filter((id) => !layout.seats.has(id));
    if (foreign.length > 0) return { ok: false, error: notThisEvent(ids, foreign) };
    const over = overLimit(r, ids.length);
    if (over) return { ok: false, error: over };
    const unavailable = ids.filter((id) => taken.has(id) || !free.has(id));
    if (unavailable.length > 0) {
      return {
        ok: false,
        error: new AppError('SEAT_UNAVAILABLE', 'Some of the requested seats are held or sold.', {
          unavailable,
        }),
      };
    }
    for (const id of ids) taken.add(id);
    give(r, ids.length);
    return {
      ok: true,
      orderId: randomUUID(),
      seats: ids.map((id) => {
        const seat = layout.seats.get(id) as ViewSeat;
        return { id, price_cents: seat.priceCents, label: seat.label };
      }),
    };
  });
  requests.forEach((r, i) => {
    if (!('quantity' in r.selection) || used.has(i)) return;
    const quantity = r.selection.quantity;
    // Refused before choosing: its seats stay free for the others of the round.
    const over = overLimit(r, quantity);
    if (over) {
      decisions[i] = { ok: false, error: over };
      return;
    }
    const picked = pickBest(window, quantity, {
      taken,
      maxPriceCents: r.maxSeatPrice,
      rowLength: (s, row) => layout.rowLength(s, row),
    });
    if (picked) {
      for (const s of picked) taken.add(s.id);
      give(r, quantity);
      decisions[i] = { ok: true, orderId: randomUUID(), seats: picked.map(sold) };
      return;
    }
    const bound = r.maxSeatPrice ?? NO_BOUND;
    const left = window.filter((s) => !taken.has(s.id) && s.price_cents <= bound).length;
    decisions[i] = {
      ok: false,
      error: state.windowComplete
        ? soldOut(quantity, left)
        : // The window was too narrow for this buyer's price bound: rare, and
          // answered as "retry", never as a sell-out that may not be true.
          new AppError('UNAVAILABLE', 'The best seats moved while choosing; retry with the same key.'),
    };
  });
  return decisions;
}

const sold = (s: Candidate): Sold => ({ id: s.id, price_cents: s.price_cents, label: s.label });

/** The winners' rows of the round, written with other events' rounds (sale-writer.ts). */
function write(
  ctx: PurchaseContext,
  eventId: string,
  fence: Fence,
  requests: BuyRequest[],
  decided: Decision[],
  createdAt: Date,
): Promise<Written | undefined> {
  const winners = requests.flatMap((r, i) => {
    const d = decided[i] as Decision;
    return d.ok ? [{ r, d, total: d.seats.reduce((n, s) => n + s.price_cents, 0) }] : [];
  });
  return ctx.saleWriter.write({
    eventId,
    fence,
    createdAt,
    seats: winners.flatMap((w) =>
      w.d.seats.map((s) => ({ id: s.id, orderId: w.d.orderId, priceCents: s.price_cents })),
    ),
    orders: winners.map((w) => ({
      id: w.d.orderId,
      userId: w.r.buyer.id,
      totalCents: w.total,
      paymentRef: w.r.paymentRef,
      key: w.r.key,
      hash: w.r.hash,
      email: w.r.buyer.email,
      detail: JSON.stringify({
        eventId,
        holdId: null,
        seatIds: w.d.seats.map((s) => s.id),
        totalCents: w.total,
      }),
    })),
  });
}

/**
 * Which requests of the batch carry a key that is stored already: asked together,
 * so the refusals' batching (used-keys.ts) makes it one statement.
 */
async function usedKeys(ctx: PurchaseContext, requests: BuyRequest[]): Promise<Set<number>> {
  const stored = await Promise.all(requests.map((r) => ctx.usedKeys.has(r.buyer.id, r.key)));
  return new Set(requests.flatMap((_, i) => (stored[i] ? [i] : [])));
}

function settlement(
  eventId: string,
  r: BuyRequest,
  d: Extract<Decision, { ok: true }>,
  written: Written,
  createdAt: Date,
): Settlement {
  const totalCents = d.seats.reduce((n, s) => n + s.price_cents, 0);
  const seats = [...d.seats].sort((a, b) => a.id.localeCompare(b.id));
  return {
    orderId: d.orderId,
    totalCents,
    view: {
      id: d.orderId,
      eventId,
      eventTitle: written.title,
      seats: seats.map((s) => ({ id: s.id, label: s.label, priceCents: s.price_cents })),
      totalCents,
      currency: written.currency,
      status: 'confirmed',
      createdAt: createdAt.toISOString(),
      userEmail: r.buyer.email,
    },
  };
}
