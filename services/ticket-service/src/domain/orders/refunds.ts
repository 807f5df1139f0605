// Refunds of cancelled orders, after the cancellation's COMMIT (README,
// "Cancellations and refunds"). An order to refund is claimed first
// (refund_claimed_at: by the cancellation in its own transaction, by the sweep
// with SKIP LOCKED), so two replicas never refund it at once; it is marked
// refunded (refunded_at) with its operation-log entry in one statement after the
// provider answered. A refund whose outcome was not recorded (the replica died,
// the provider failed, the mark was not written) is taken again by the refund
// sweep once its claim ran out: never lost, and repeated only when its outcome is
// unknown, which providers answer as the same refund (provider.ts).
//
// An order cancelled before its payment was captured is captured first (the
// purchase's own capture may be in flight; captures are idempotent per
// reference and amount), then refunded: a void could race that capture.
import { Prisma } from '../../generated/prisma/client.ts';
import type { Actor } from '../context.ts';
import { SYSTEM } from '../context.ts';
import type { PurchaseContext } from '../purchase/context.ts';

type RefundContext = Pick<PurchaseContext, 'db' | 'payments' | 'replica' | 'log'>;

/** A taken order is left to its taker this long; a failed refund is tried again after it. */
export const REFUND_CLAIM_MS = 60_000;
const PROVIDER_TIMEOUT_MS = 10_000;
const PARALLELISM = 4;

export interface RefundDue {
  id: string;
  event_id: string;
  payment_ref: string | null;
  payment_status: 'authorized' | 'captured';
  total_cents: number;
}

/** Refunds one claimed order and marks it; throws when the provider fails (the claim then runs out). */
export async function refundOrder(ctx: RefundContext, order: RefundDue, actor: Actor): Promise<void> {
  if (order.payment_ref && order.total_cents > 0) {
    if (order.payment_status === 'authorized') {
      await within(ctx.payments.capture(order.payment_ref, order.total_cents));
      await ctx.db.$executeRaw(Prisma.sql`
        UPDATE orders SET payment_status = 'captured', captured_at = now()
         WHERE id = ${order.id}::uuid AND payment_status = 'authorized'`);
    }
    await within(ctx.payments.refund(order.payment_ref, order.total_cents));
  }
  await ctx.db.$executeRaw(Prisma.sql`
    WITH done AS (
      UPDATE orders SET refunded_at = now()
       WHERE id = ${order.id}::uuid AND refunded_at IS NULL
      RETURNING id, event_id, payment_ref, total_cents
    )
    INSERT INTO audit_entries (replica, actor_id, actor, action, subject, detail)
    SELECT ${ctx.replica}, ${actor.id}::uuid, ${actor.email}, 'payment.refunded', 'order:' || d.id,
           jsonb_build_object('eventId', d.event_id, 'paymentRef', d.payment_ref, 'amountCents', d.total_cents)
      FROM done d`);
}

/** Cancelled orders whose refund is due (never refunded, claim run out), refunded a few at a time. */
export async function sweepRefunds(
  ctx: RefundContext,
  { limit = 100 }: { limit?: number } = {},
): Promise<{ refunded: number; failed: number }> {
  const due = await ctx.db.$queryRaw<RefundDue[]>(Prisma.sql`
    UPDATE orders SET refund_claimed_at = now()
     WHERE id IN (SELECT id FROM orders
                   WHERE status = 'cancelled' AND refunded_at IS NULL
                     AND (refund_claimed_at IS NULL
                          OR refund_claimed_at < now() - ${REFUND_CLAIM_MS} * interval '1 millisecond')
                   ORDER BY cancelled_at LIMIT ${limit}
                   FOR UPDATE SKIP LOCKED)
    RETURNING id, event_id, payment_ref, payment_status::text AS payment_status, total_cents`);
  let refunded = 0;
  for (let i = 0; i < due.length; i += PARALLELISM) {
    await Promise.all(
      due.slice(i, i + PARALLELISM).map(async (order) => {
        try {
          await refundOrder(ctx, order, SYSTEM);
          refunded++;
        } catch (err) {
          ctx.log.error({ err, orderId: order.id }, 'refund sweep: refund failed; it is tried again later');
        }
      }),
    );
  }
  return { refunded, failed: due.length - refunded };
}

function within<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the payment provider did not answer in ${PROVIDER_TIMEOUT_MS} ms`)),
      PROVIDER_TIMEOUT_MS,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
