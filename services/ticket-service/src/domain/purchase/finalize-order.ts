// Buying a hold (POST /holds/:id/order) behind the fence (runFenced): the hold's
// seats become sold, the order and its tickets are written and the
// Idempotency-Key is completed, all in one transaction. The unique (event, seat)
// constraint on tickets stands behind every other guard. One-step purchases are
// sold in batches instead (sell-batch.ts). Ordering a hold adds nothing against
// the per-customer limit: its seats counted as held, now they count as tickets.
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import type { Actor } from '../context.ts';
import { AppError } from '../errors.ts';
import type { PurchaseContext } from './context.ts';
import { type Fence, type FencedResult, runFenced } from './fence.ts';
import { completeIdempotent } from './idempotency.ts';
import type { OrderView } from './orders.ts';
import type { Settlement } from './sell-batch.ts';

type Buyer = Actor & { id: string };

type SoldSeat = { id: string; price_cents: number; label: string };

interface OrderRecord {
  orderId: string;
  eventId: string;
  actor: Buyer;
  holdId: string | null;
  seats: SoldSeat[];
  fence: Fence;
  paymentRef: string;
  idempotency: { key: string; owner: string };
}

async function writeOrder(
  tx: Prisma.TransactionClient,
  replica: string,
  o: OrderRecord,
): Promise<FencedResult<Settlement>> {
  const totalCents = o.seats.reduce((sum, s) => sum + s.price_cents, 0);
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
  // The webhook outbox (README, "Webhooks"): order.confirmed, and event.sold_out
  // when this order took the last seat, in the order's own transaction.
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
  const seats = [...o.seats].sort((a, b) => a.id.localeCompare(b.id));
  const view: OrderView = {
    id: o.orderId,
    eventId: o.eventId,
    eventTitle: o.fence.eventTitle,
    seats: seats.map((s) => ({ id: s.id, label: s.label, priceCents: s.price_cents })),
    totalCents,
    currency: o.fence.currency,
    status: 'confirmed',
    createdAt: createdAt.toISOString(),
    userEmail: o.actor.email,
  };
  return {
    result: { orderId: o.orderId, totalCents, view },
    changes: o.seats.map((s) => ({ id: s.id, status: 'sold' as const, owner: o.actor.id })),
  };
}

export async function finalizeOrder(
  ctx: PurchaseContext,
  input: {
    holdId: string;
    eventId: string;
    actor: Buyer;
    idempotency: { key: string; owner: string };
    paymentRef: string;
  },
): Promise<Settlement> {
  const orderId = randomUUID();
  const expired = () =>
    new AppError('HOLD_EXPIRED', 'The hold ran out before the purchase; its seats went back on sale.');
  return runFenced(ctx, 'order', input.eventId, async (tx, fence) => {
    const ordered = await tx.$queryRaw<{ seat_ids: string[] }[]>(Prisma.sql`
      UPDATE holds SET status = 'ordered'
       WHERE id = ${input.holdId}::uuid AND user_id = ${input.actor.id}::uuid
         AND status = 'active' AND expires_at > now()
       RETURNING seat_ids::text[]`);
    const hold = ordered[0];
    if (!hold) {
      const now = await tx.hold.findUnique({
        where: { id: input.holdId },
        select: { status: true, seatIds: true },
      });
      if (now?.status === 'ordered') {
        throw new AppError('SEAT_UNAVAILABLE', 'This hold has already been bought.', {
          unavailable: now.seatIds,
        });
      }
      throw expired();
    }
    const seats = await tx.$queryRaw<SoldSeat[]>(Prisma.sql`
      UPDATE seats SET status = 'sold', order_id = ${orderId}::uuid, hold_id = NULL, updated_at = now()
       WHERE hold_id = ${input.holdId}::uuid AND status = 'held'
       RETURNING id, price_cents, label`);
    if (seats.length !== hold.seat_ids.length) throw expired();
    return writeOrder(tx, ctx.replica, { ...input, orderId, seats, fence });
  });
}
