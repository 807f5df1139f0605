// POST /admin/orders/:orderId/cancel (README, "Cancellations and refunds"). The
// order becomes 'cancelled' and its seats go back on sale in one fenced
// transaction under the event lock, like a hold's release: the order, its
// tickets (kept in the history, marked cancelled, so they no longer hold their
// seats), the seats, the operation log and the order.cancelled webhook
// deliveries. The change is published to the seat streams and seat views. The
// refund follows the COMMIT (refunds.ts); the sweep retries one that failed.
//
// Cancelling again is harmless: an order already cancelled is answered as it is,
// with no second refund. A ticket already checked in cannot be cancelled (409
// TICKET_CHECKED_IN): the cancellation updates the order's row before it looks at
// the tickets, and a check-in holds that row while it marks one and refuses a
// cancelled order's ticket, so the two never both succeed.

import { runFenced } from '../../event-lock/fence.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import type { Actor } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import type { PurchaseContext } from '../purchase/context.ts';
import { loadOrder } from '../purchase/orders.ts';
import { type RefundDue, refundOrder } from './refunds.ts';

export async function cancelOrder(ctx: PurchaseContext, actor: Actor & { id: string }, orderId: string) {
  const order = await ctx.db.order.findUnique({
    where: { id: orderId },
    select: { eventId: true, status: true },
  });
  if (!order) throw notFound('order');
  if (order.status !== 'cancelled') {
    const cancelled = await runFenced(ctx, 'cancel', order.eventId, async (tx) => {
      // The order's row first, as check-in expects (domain/tickets/check-in.ts: it
      // holds that row FOR SHARE while it marks a ticket): this waits for a
      // check-in in flight, and the look at the tickets below then sees it.
      // Claimed for its refund at once: the sweep leaves it to this request.
      const [done] = await tx.$queryRaw<RefundDue[]>(Prisma.sql`
        UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancelled_by = ${actor.id}::uuid,
                          refund_claimed_at = now()
         WHERE id = ${orderId}::uuid AND status = 'confirmed'
        RETURNING id, event_id, payment_ref, payment_status::text AS payment_status, total_cents`);
      // Cancelled meanwhile by another request: nothing more to do.
      if (!done) return { result: undefined, changes: [] };
      const checkedIn = await tx.$queryRaw<{ seat_id: string }[]>(Prisma.sql`
        SELECT seat_id::text FROM tickets
         WHERE order_id = ${orderId}::uuid AND checked_in_at IS NOT NULL`);
      if (checkedIn.length > 0) {
        // Rolls the whole transaction back: the order stays confirmed.
        throw new AppError(
          'TICKET_CHECKED_IN',
          'A ticket of this order was checked in; it cannot be cancelled.',
          {
            seatIds: checkedIn.map((t) => t.seat_id),
          },
        );
      }
      await tx.$executeRaw(Prisma.sql`
        UPDATE tickets SET cancelled_at = now() WHERE order_id = ${orderId}::uuid AND cancelled_at IS NULL`);
      const freed = await tx.$queryRaw<{ id: string }[]>(Prisma.sql`
        UPDATE seats SET status = 'available', order_id = NULL, hold_id = NULL, updated_at = now()
         WHERE order_id = ${orderId}::uuid AND status = 'sold' RETURNING id::text`);
      const seatIds = freed.map((s) => s.id).sort();
      await recordAudit(tx, ctx.replica, {
        actor,
        action: 'order.cancel',
        subject: `order:${orderId}`,
        detail: { eventId: order.eventId, seatIds, totalCents: done.total_cents },
      });
      await tx.$queryRaw(Prisma.sql`
        SELECT tickets_webhook_enqueue('order.cancelled', ${JSON.stringify({
          orderId,
          eventId: order.eventId,
          seatIds,
          totalCents: done.total_cents,
          cancelledBy: actor.email,
          cancelledAt: new Date().toISOString(),
        })}::jsonb)`);
      return {
        result: done,
        changes: freed.map((s) => ({ id: s.id, status: 'available' as const, owner: null })),
      };
    });
    if (cancelled) {
      try {
        await refundOrder(ctx, cancelled, actor);
      } catch (err) {
        // Cancelled all the same: the refund sweep refunds it once the claim runs out.
        ctx.log.error({ err, orderId }, 'refund failed after cancellation; the refund sweep retries it');
      }
    }
  }
  return loadOrder(ctx.db, orderId);
}
