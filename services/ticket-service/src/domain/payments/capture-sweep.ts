// Settles orders whose capture was lost: committed as 'authorized' and never
// marked 'captured' — the replica died between COMMIT and the provider, the
// provider failed, or the mark was never written. Every replica runs this, like
// the hold sweeper.
//
// - A grace period leaves young orders to the purchase that is capturing them.
// - An order a sweep takes is claimed for a while (capture_claimed_at, taken with
//   SKIP LOCKED), so replicas do not capture the same orders at once, and one
//   whose capture keeps failing goes to the back: it never holds up the rest.
// - Each sweep takes a bounded number, a few provider calls at a time, each with
//   a time limit, and starts none after its budget is spent: a slow or hung
//   provider cannot keep the next sweeps from running. What it took and did not
//   try stays claimed and is taken again later.
// - The mark is conditional and the operation-log entry is written with it, in
//   one statement: an order the normal path marked meanwhile gets no entry, and
//   two sweeps that both captured it (captures are idempotent) log it once.
import { Prisma } from '../../generated/prisma/client.ts';
import { SYSTEM } from '../context.ts';
import type { PurchaseContext } from '../purchase/context.ts';

export interface CaptureSweepSettings {
  /** Orders younger than this are left to the request that made them. */
  graceMs: number;
  /** Most orders one sweep takes. */
  limit?: number;
  /** A sweep starts no capture after this long. */
  budgetMs?: number;
}

type SweepContext = Pick<PurchaseContext, 'db' | 'payments' | 'replica' | 'log'>;

/**
 * A taken order is left to its taker this long; a failed capture is tried again
 * after it. Longer than a sweep can last (its budget plus one provider call).
 */
const CLAIM_MS = 60_000;
/** Longest one provider call may hold a sweep up. */
const CAPTURE_TIMEOUT_MS = 10_000;
const PARALLELISM = 4;

interface Due {
  id: string;
  payment_ref: string | null;
  total_cents: number;
}

export async function sweepCaptures(
  ctx: SweepContext,
  { graceMs, limit = 100, budgetMs = 30_000 }: CaptureSweepSettings,
): Promise<{ captured: number; failed: number; deferred: number }> {
  const deadline = performance.now() + budgetMs;
  // Due by the database clock; served by the partial index on uncaptured orders.
  const due = await ctx.db.$queryRaw<Due[]>(Prisma.sql`
    UPDATE orders SET capture_claimed_at = now()
     WHERE id IN (SELECT id FROM orders
                   WHERE payment_status = 'authorized'
                     AND created_at < now() - ${graceMs} * interval '1 millisecond'
                     AND (capture_claimed_at IS NULL
                          OR capture_claimed_at < now() - ${CLAIM_MS} * interval '1 millisecond')
                   ORDER BY created_at LIMIT ${limit}
                   FOR UPDATE SKIP LOCKED)
    RETURNING id, payment_ref, total_cents`);
  const captured: string[] = [];
  let tried = 0;
  for (let i = 0; i < due.length && performance.now() < deadline; i += PARALLELISM) {
    tried = Math.min(due.length, i + PARALLELISM);
    await Promise.all(
      due.slice(i, i + PARALLELISM).map(async (order) => {
        try {
          if (!order.payment_ref) throw new Error('the order has no payment reference');
          await within(ctx.payments.capture(order.payment_ref, order.total_cents), CAPTURE_TIMEOUT_MS);
          captured.push(order.id);
        } catch (err) {
          ctx.log.error(
            { err, orderId: order.id, reference: order.payment_ref },
            'capture sweep: capture failed; it is tried again later',
          );
        }
      }),
    );
  }
  if (captured.length > 0) await markSwept(ctx, captured);
  return { captured: captured.length, failed: tried - captured.length, deferred: due.length - tried };
}

/** Marks the orders captured and logs, for each one this sweep settled, that the sweep did. */
async function markSwept(ctx: SweepContext, orderIds: string[]): Promise<void> {
  await ctx.db.$executeRaw(Prisma.sql`
    WITH done AS (
      UPDATE orders SET payment_status = 'captured', captured_at = now()
       WHERE id = ANY(${orderIds}::uuid[]) AND payment_status = 'authorized'
      RETURNING id, event_id, payment_ref, total_cents, created_at
    )
    INSERT INTO audit_entries (replica, actor_id, actor, action, subject, detail)
    SELECT ${ctx.replica}, NULL, ${SYSTEM.email}, 'payment.captured_by_sweep', 'order:' || d.id,
           jsonb_build_object('eventId', d.event_id, 'paymentRef', d.payment_ref,
                              'amountCents', d.total_cents, 'orderCreatedAt', d.created_at)
      FROM done d`);
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the payment provider did not answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
