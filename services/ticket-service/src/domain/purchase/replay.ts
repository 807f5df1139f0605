// Answering a request whose Idempotency-Key an earlier request used: the order
// that request made, never a second one.
import type { Buyer, PurchaseContext } from './context.ts';
import { storedOrderOf } from './idempotency.ts';
import { loadOrder } from './orders.ts';
import type { PurchaseResult } from './outcome.ts';
import { capture, voidOwn } from './payment-steps.ts';

/**
 * The order an earlier request with this key made, captured if it is not yet
 * (the first request may have died between its commit and its capture). The
 * authorization this request made is voided: the order was paid by another.
 */
export async function replay(
  ctx: PurchaseContext,
  buyer: Buyer,
  key: string,
  hash: string,
  ownRef?: string,
): Promise<PurchaseResult> {
  let orderId: string;
  try {
    orderId = await storedOrderOf(ctx.db, buyer.id, key, hash);
  } catch (err) {
    // This request was left out of its batch: nothing of it was written.
    if (ownRef) await voidOwn(ctx, ownRef);
    throw err;
  }
  return replayOrder(ctx, orderId, ownRef);
}

/**
 * A stored order, captured with the reference it was paid with unless that is
 * recorded already: the first request may have died between its commit and its
 * capture. Never with this request's own authorization, which is voided.
 */
export async function replayOrder(
  ctx: PurchaseContext,
  orderId: string,
  ownRef?: string,
): Promise<PurchaseResult> {
  ctx.metrics.idempotentReplays.inc();
  const order = await loadOrder(ctx.db, orderId);
  const { paymentRef, paymentStatus } = await ctx.db.order.findUniqueOrThrow({
    where: { id: order.id },
    select: { paymentRef: true, paymentStatus: true },
  });
  if (ownRef && ownRef !== paymentRef) await voidOwn(ctx, ownRef);
  if (paymentRef && paymentStatus === 'authorized') {
    await capture(ctx, { id: order.id, paymentRef, totalCents: order.totalCents });
  }
  return { order, replayed: true };
}
