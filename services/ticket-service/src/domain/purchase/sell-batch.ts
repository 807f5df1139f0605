// Group commit: every one-step purchase that queued for an event on this replica
// while the previous round ran is sold in ONE fenced transaction, with a fixed
// number of statements whatever the batch size:
//
//   fence → read the named seats → read a window of available seats (best-N)
//   → decide in memory who gets what → ONE statement that marks the seats sold,
//     inserts orders and tickets, completes the Idempotency-Keys and writes the
//     operation log
//
// Each purchase keeps its own outcome: one buyer's refusal (seat taken earlier
// in the same batch, not this event's seat, too few seats left) never fails the
// others, because refusals are decided before anything is written. What can
// still fail the whole batch is what fails a single purchase too — a lost fence,
// the database — and then every buyer of the batch hears 503 and retries with
// the same key; nothing of the batch was written (one transaction).
//
// Why raw SQL here: Prisma's createMany/updateMany cannot express "UPDATE … FROM
// unnest(…)" (per-row values) or INSERT … SELECT FROM unnest, and one multi-row
// statement instead of one per purchase is the point of this module.
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import type { HeldLock, ItemOutcome } from '../../lib/event-lock.ts';
import type { Actor } from '../context.ts';
import { AppError } from '../errors.ts';
import type { PurchaseContext, SeatChange } from './context.ts';
import { type Fence, fencedTransaction } from './fence.ts';
import type { SeatSelection } from './holds.ts';
import type { OrderView } from './orders.ts';
import { availableWindow, type Candidate, pickBest, soldOut, windowFor } from './pick-seats.ts';
import { notThisEvent } from './seat-claims.ts';
import type { EventSeats } from './seat-view.ts';

type Buyer = Actor & { id: string };

export interface BuyRequest {
  buyer: Buyer;
  selection: SeatSelection;
  /** For best-N: the dearest seat the authorization covers. */
  maxSeatPrice?: number;
  idempotency: { key: string; owner: string };
  paymentRef: string;
}

/** What the buyer is answered: built from the transaction's own rows, so no read follows the COMMIT. */
export interface Settlement {
  orderId: string;
  totalCents: number;
  view: OrderView;
}

type SeatRow = { id: string; status: string; price_cents: number; label: string };
type Sold = { id: string; price_cents: number; label: string };
type Decision = { ok: true; orderId: string; seats: Sold[] } | { ok: false; error: AppError };

class NothingSold extends Error {
  readonly decided: Decision[];
  constructor(decided: Decision[]) {
    super('every purchase of the batch was refused');
    this.decided = decided;
  }
}

const closed = (r: BuyRequest) =>
  new AppError('SEAT_UNAVAILABLE', 'Sales for this event are closed.', {
    unavailable: 'seatIds' in r.selection ? r.selection.seatIds : [],
  });

export async function sellBatch(
  ctx: PurchaseContext,
  eventId: string,
  lock: HeldLock,
  requests: BuyRequest[],
  layout?: EventSeats,
): Promise<ItemOutcome<Settlement>[]> {
  const createdAt = new Date();
  let decisions: { decided: Decision[]; fence: Fence };
  try {
    decisions = await fencedTransaction(ctx, eventId, lock, async (tx, fence) => {
      const decided =
        fence.eventStatus === 'on_sale'
          ? await decide(tx, eventId, requests, layout)
          : requests.map((r): Decision => ({ ok: false, error: closed(r) }));
      // Nothing to sell: roll back, so that not even the seat version moves.
      if (!decided.some((d) => d.ok)) throw new NothingSold(decided);
      const changes = await write(tx, ctx.replica, eventId, fence, requests, decided, createdAt);
      return { result: { decided, fence }, changes };
    });
  } catch (err) {
    if (!(err instanceof NothingSold)) throw err;
    return err.decided.map((d) => ({ ok: false, error: (d as { error: AppError }).error }));
  }
  return requests.map((request, i): ItemOutcome<Settlement> => {
    const d = decisions.decided[i] as Decision;
    if (!d.ok) return { ok: false, error: d.error };
    try {
      ctx.faults.afterCommit?.('order');
    } catch (error) {
      return { ok: false, error };
    }
    return { ok: true, value: settlement(eventId, request, d, decisions.fence, createdAt) };
  });
}

/** Who gets which seats, in queue order; reads at most two statements. */
async function decide(
  tx: Prisma.TransactionClient,
  eventId: string,
  requests: BuyRequest[],
  layout?: EventSeats,
): Promise<Decision[]> {
  const named = requests.flatMap((r) => ('seatIds' in r.selection ? r.selection.seatIds : []));
  const wanted = requests.reduce((n, r) => n + ('quantity' in r.selection ? r.selection.quantity : 0), 0);
  const rows = named.length
    ? await tx.$queryRaw<SeatRow[]>(Prisma.sql`
        SELECT id, status::text, price_cents, label FROM seats
         WHERE event_id = ${eventId}::uuid AND id = ANY(${named}::uuid[])`)
    : [];
  const known = new Map(rows.map((s) => [s.id, s]));
  const NO_BOUND = 2_147_483_647;
  const bound = Math.max(
    0,
    ...requests.filter((r) => 'quantity' in r.selection).map((r) => r.maxSeatPrice ?? NO_BOUND),
  );
  const limit = windowFor(wanted, named.length);
  const window = wanted > 0 ? await availableWindow(tx, eventId, limit, bound) : [];
  const windowComplete = window.length < limit;
  const taken = new Set<string>();

  // Requests by seat id first (they name what they want), in queue order; then
  // best-N requests choose among what is left.
  const decisions: Decision[] = requests.map((r) => {
    if (!('seatIds' in r.selection)) return { ok: false, error: soldOut(0, 0) };
    const ids = r.selection.seatIds;
    const foreign = ids.filter((id) => !known.has(id));
    if (foreign.length > 0) return { ok: false, error: notThisEvent(ids, foreign) };
    const unavailable = ids.filter((id) => taken.has(id) || known.get(id)?.status !== 'available');
    if (unavailable.length > 0) {
      return {
        ok: false,
        error: new AppError('SEAT_UNAVAILABLE', 'Some of the requested seats are held or sold.', {
          unavailable,
        }),
      };
    }
    for (const id of ids) taken.add(id);
    return { ok: true, orderId: randomUUID(), seats: ids.map((id) => known.get(id) as SeatRow) };
  });
  requests.forEach((r, i) => {
    if (!('quantity' in r.selection)) return;
    const quantity = r.selection.quantity;
    const picked = pickBest(window, quantity, {
      taken,
      maxPriceCents: r.maxSeatPrice,
      rowLength: layout ? (s, row) => layout.rowLength(s, row) : undefined,
    });
    if (picked) {
      for (const s of picked) taken.add(s.id);
      decisions[i] = { ok: true, orderId: randomUUID(), seats: picked.map(sold) };
      return;
    }
    const left = window.filter((s) => !taken.has(s.id) && s.price_cents <= (r.maxSeatPrice ?? bound));
    decisions[i] = {
      ok: false,
      error: windowComplete
        ? soldOut(quantity, left.length)
        : // The window was too narrow for this buyer's price bound: rare, and
          // answered as "retry", never as a sell-out that may not be true.
          new AppError('UNAVAILABLE', 'The best seats moved while choosing; retry with the same key.'),
    };
  });
  return decisions;
}

const sold = (s: Candidate): Sold => ({ id: s.id, price_cents: s.price_cents, label: s.label });

/** The winners' rows, one multi-row statement per table. */
async function write(
  tx: Prisma.TransactionClient,
  replica: string,
  eventId: string,
  fence: Fence,
  requests: BuyRequest[],
  decided: Decision[],
  createdAt: Date,
): Promise<SeatChange[]> {
  const winners = requests.flatMap((r, i) => {
    const d = decided[i] as Decision;
    return d.ok ? [{ r, d, total: d.seats.reduce((n, s) => n + s.price_cents, 0) }] : [];
  });
  if (winners.length === 0) return [];
  const seatIds = winners.flatMap((w) => w.d.seats.map((s) => s.id));
  const seatOrders = winners.flatMap((w) => w.d.seats.map(() => w.d.orderId));
  const seatPrices = winners.flatMap((w) => w.d.seats.map((s) => s.price_cents));
  const orderIds = winners.map((w) => w.d.orderId);
  const userIds = winners.map((w) => w.r.buyer.id);

  const details = winners.map((w) =>
    JSON.stringify({ eventId, holdId: null, seatIds: w.d.seats.map((s) => s.id), totalCents: w.total }),
  );
  // One statement, one round trip, for every row of the batch. Each part runs
  // exactly once (data-modifying CTEs always do); the foreign keys of tickets
  // are checked at the end of the statement, after the orders are in.
  const [counts] = await tx.$queryRaw<{ sold: number; completed: number }[]>(Prisma.sql`
    WITH sold AS (
      UPDATE seats s SET status = 'sold', order_id = v.order_id, hold_id = NULL, updated_at = now()
        FROM unnest(${seatIds}::uuid[], ${seatOrders}::uuid[]) AS v(id, order_id)
       WHERE s.event_id = ${eventId}::uuid AND s.id = v.id AND s.status = 'available'
      RETURNING s.id
    ), new_orders AS (
      INSERT INTO orders (id, event_id, user_id, total_cents, currency, payment_ref, created_at)
      SELECT v.id, ${eventId}::uuid, v.user_id, v.total, ${fence.currency}, v.payment_ref, ${createdAt}
        FROM unnest(${orderIds}::uuid[], ${userIds}::uuid[], ${winners.map((w) => w.total)}::int[],
                    ${winners.map((w) => w.r.paymentRef)}::text[]) AS v(id, user_id, total, payment_ref)
      RETURNING id
    ), new_tickets AS (
      INSERT INTO tickets (order_id, event_id, seat_id, price_cents)
      SELECT v.order_id, ${eventId}::uuid, v.seat_id, v.price
        FROM unnest(${seatOrders}::uuid[], ${seatIds}::uuid[], ${seatPrices}::int[]) AS v(order_id, seat_id, price)
      RETURNING id
    ), keys AS (
      UPDATE idempotency_records r SET state = 'completed', order_id = v.order_id, updated_at = now()
        FROM unnest(${userIds}::uuid[], ${winners.map((w) => w.r.idempotency.key)}::text[],
                    ${winners.map((w) => w.r.idempotency.owner)}::text[], ${orderIds}::uuid[])
             AS v(user_id, key, owner, order_id)
       WHERE r.user_id = v.user_id AND r.key = v.key AND r.owner = v.owner AND r.state = 'in_progress'
      RETURNING r.key
    ), logged AS (
      INSERT INTO audit_entries (replica, actor_id, actor, action, subject, detail)
      SELECT ${replica}, v.actor_id, v.actor, 'order.create', 'order:' || v.order_id, v.detail::jsonb
        FROM unnest(${userIds}::uuid[], ${winners.map((w) => w.r.buyer.email)}::text[], ${orderIds}::text[],
                    ${details}::text[]) AS v(actor_id, actor, order_id, detail)
      RETURNING id
    )
    SELECT (SELECT count(*) FROM sold)::int AS sold, (SELECT count(*) FROM keys)::int AS completed`);
  if (counts?.sold !== seatIds.length) {
    // Cannot happen while the fence holds (the event row is locked by this
    // transaction); if it does, nothing of the batch is written.
    throw new AppError('UNAVAILABLE', 'Seats changed while they were being sold; retry with the same key.');
  }
  if (counts.completed !== winners.length) {
    // A key's lease ran out and a retry took it over: that retry decides, and
    // this batch must not commit an order under the same key.
    throw new AppError('UNAVAILABLE', 'A purchase was taken over by its retry; retry with the same key.');
  }
  return seatIds.map((id) => ({ id, status: 'sold' as const }));
}

function settlement(
  eventId: string,
  r: BuyRequest,
  d: Extract<Decision, { ok: true }>,
  fence: Fence,
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
      eventTitle: fence.eventTitle,
      seats: seats.map((s) => ({ id: s.id, label: s.label, priceCents: s.price_cents })),
      totalCents,
      currency: fence.currency,
      status: 'confirmed',
      createdAt: createdAt.toISOString(),
      userEmail: r.buyer.email,
    },
  };
}
