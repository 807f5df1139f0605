// Buying a hold (POST /holds/:id/order) behind the fence (runFenced): the hold's
// seats become sold, the order and its tickets are written and the
// Idempotency-Key is completed, all in one transaction. The unique (event, seat)
// constraint on tickets stands behind every other guard. One-step purchases are
// sold in batches instead (sell-batch.ts). Ordering a hold adds nothing against
// the per-customer limit: its seats counted as held, now they count as tickets.
import { randomUUID } from 'node:crypto';
import { type Fence, type FencedResult, runFenced } from '../../event-lock/fence.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import type { Actor } from '../context.ts';
import type { PurchaseContext } from './context.ts';
import { completeIdempotent } from './idempotency.ts';
import { holdAlreadyBought, holdExpiredBeforePurchase } from './refusals.ts';
import { type Settlement, type SoldSeat, settlement, totalOf } from './settlement.ts';

type Buyer = Actor & { id: string };

export interface HoldOrder {
  holdId: string;
  eventId: string;
  actor: Buyer;
  idempotency: { key: string; owner: string };
  paymentRef: string;
}

export async function finalizeOrder(ctx: PurchaseContext, input: HoldOrder): Promise<Settlement> {
  const orderId = randomUUID();
  return runFenced(ctx, 'order', input.eventId, async (tx, fence) => {
    const holdSeats = await takeHold(tx, input);
    const seats = await sellHeldSeats(tx, input.holdId, orderId, holdSeats.length);
    return writeOrder(tx, ctx.replica, { ...input, orderId, seats, fence });
  });
}

/** Marks the hold ordered and answers its seats; refuses a hold bought already or run out. */
async function takeHold(tx: Prisma.TransactionClient, input: HoldOrder): Promise<string[]> {
  const ordered = await tx.$queryRaw<{ seat_ids: string[] }[]>(Prisma.sql`
    UPDATE holds SET status = 'ordered'
     WHERE id = ${input.holdId}::uuid AND user_id = ${input.actor.id}::uuid
       AND status = 'active' AND expires_at > now()
     RETURNING seat_ids::text[]`);
  const hold = ordered[0];
  if (hold) return hold.seat_ids;
  const now = await tx.hold.findUnique({
    where: { id: input.holdId },
    select: { status: true, seatIds: true },
  });
  if (now?.status === 'ordered') throw holdAlreadyBought(now.seatIds);
  throw holdExpiredBeforePurchase();
}

/** Sells the hold's seats to the order: every one of them, or the hold ran out meanwhile. */
async function sellHeldSeats(
  tx: Prisma.TransactionClient,
  holdId: string,
  orderId: string,
  expected: number,
): Promise<SoldSeat[]> {
  const seats = await tx.$queryRaw<SoldSeat[]>(Prisma.sql`
    UPDATE seats SET status = 'sold', order_id = ${orderId}::uuid, hold_id = NULL, updated_at = now()
     WHERE hold_id = ${holdId}::uuid AND status = 'held'
     RETURNING id, price_cents, label`);
  if (seats.length !== expected) throw holdExpiredBeforePurchase();
  return seats;
}

interface OrderRecord extends HoldOrder {
  orderId: string;
  seats: SoldSeat[];
  fence: Fence;
}

/** The order's rows: the order, its tickets, its key completed, the operation log, the webhook outbox. */
async function writeOrder(
  tx: Prisma.TransactionClient,
  replica: string,
  o: OrderRecord,
): Promise<FencedResult<Settlement>> {
  const totalCents = totalOf(o.seats);
  const createdAt = new Date();
  await tx.$executeRaw(Prisma.sql`
    INSERT INTO orders (id, event_id, user_id, hold_id, total_cents, currency, payment_ref, payment_status, created_at)
    VALUES (${o.orderId}::uuid, ${o.eventId}::uuid, ${o.actor.id}::uuid, ${o.holdId}::uuid, ${totalCents},
            ${o.fence.currency}, ${o.paymentRef}, 'authorized', ${createdAt})`);
  await tx.ticket.createMany({
    data: o.seats.map((s) => ({
      orderId: o.orderId,
      eventId: o.eventId,
      seatId: s.id,
      priceCents: s.price_cents,
    })),
  });
  await completeIdempotent(tx, o.actor.id, o.idempotency.key, o.idempotency.owner, o.orderId);
  await recordAudit(tx, replica, {
    actor: o.actor,
    action: 'order.create',
    subject: `order:${o.orderId}`,
    detail: { eventId: o.eventId, holdId: o.holdId, seatIds: o.seats.map((s) => s.id), totalCents },
  });
  await enqueueWebhooks(tx, o, totalCents, createdAt);
  return {
    result: settlement({
      id: o.orderId,
      eventId: o.eventId,
      eventTitle: o.fence.eventTitle,
      currency: o.fence.currency,
      userEmail: o.actor.email,
      seats: o.seats,
      createdAt,
    }),
    changes: o.seats.map((s) => ({ id: s.id, status: 'sold' as const, owner: o.actor.id })),
  };
}

// The webhook outbox (README, "Webhooks"): order.confirmed, and event.sold_out
// when this order took the last seat, in the order's own transaction.
async function enqueueWebhooks(
  tx: Prisma.TransactionClient,
  o: OrderRecord,
  totalCents: number,
  createdAt: Date,
): Promise<void> {
  const hook = {
    orderId: o.orderId,
    eventId: o.eventId,
    userId: o.actor.id,
    email: o.actor.email,
    totalCents,
    currency: o.fence.currency,
    seatIds: o.seats.map((s) => s.id),
    createdAt: createdAt.toISOString(),
  };
  await tx.$queryRaw(Prisma.sql`
    SELECT tickets_webhook_enqueue('order.confirmed', ${JSON.stringify(hook)}::jsonb),
           tickets_webhook_sold_out(${o.eventId}::uuid)::text`);
}
