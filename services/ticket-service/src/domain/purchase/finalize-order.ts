// The purchase transaction proper: the hold's seats become sold, the order and
// its tickets are written, and the Idempotency-Key is completed, all in one
// transaction behind the fence. The unique (event, seat) constraint on tickets
// stands behind every other guard.
import { randomUUID } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import type { Actor } from '../context.ts';
import { AppError } from '../errors.ts';
import type { PurchaseContext } from './context.ts';
import { runFenced } from './fence.ts';
import { completeIdempotent } from './idempotency.ts';

export interface FinalizeInput {
  holdId: string;
  eventId: string;
  actor: Actor & { id: string };
  idempotency: { key: string; owner: string };
  paymentRef: string;
}

export async function finalizeOrder(ctx: PurchaseContext, input: FinalizeInput): Promise<string> {
  const orderId = randomUUID();
  const expired = () =>
    new AppError('HOLD_EXPIRED', 'The hold ran out before the purchase; its seats went back on sale.');
  return runFenced(ctx, 'order', input.eventId, async (tx, fence) => {
    const ordered = await tx.$queryRaw<{ total_cents: number; seat_ids: string[] }[]>(Prisma.sql`
      UPDATE holds SET status = 'ordered'
       WHERE id = ${input.holdId}::uuid AND user_id = ${input.actor.id}::uuid
         AND status = 'active' AND expires_at > now()
       RETURNING total_cents, seat_ids::text[]`);
    const hold = ordered[0];
    if (!hold) throw expired();
    const seats = await tx.$queryRaw<{ id: string; price_cents: number }[]>(Prisma.sql`
      UPDATE seats SET status = 'sold', order_id = ${orderId}::uuid, hold_id = NULL, updated_at = now()
       WHERE hold_id = ${input.holdId}::uuid AND status = 'held'
       RETURNING id, price_cents`);
    if (seats.length !== hold.seat_ids.length) throw expired();
    await tx.order.create({
      data: {
        id: orderId,
        eventId: input.eventId,
        userId: input.actor.id,
        holdId: input.holdId,
        totalCents: hold.total_cents,
        currency: fence.currency,
        paymentRef: input.paymentRef,
      },
    });
    await tx.ticket.createMany({
      data: seats.map((s) => ({ orderId, eventId: input.eventId, seatId: s.id, priceCents: s.price_cents })),
    });
    await completeIdempotent(tx, input.actor.id, input.idempotency.key, input.idempotency.owner, orderId);
    await recordAudit(tx, ctx.replica, {
      actor: input.actor,
      action: 'order.create',
      subject: `order:${orderId}`,
      detail: {
        eventId: input.eventId,
        holdId: input.holdId,
        seatIds: seats.map((s) => s.id),
        totalCents: hold.total_cents,
      },
    });
    return { result: orderId, changes: seats.map((s) => ({ id: s.id, status: 'sold' as const })) };
  });
}
