// The payment around a sale. Each attempt authorizes before anything is sold
// (outside the event lock, so a slow provider never blocks other buyers),
// captures after COMMIT, and voids when the purchase surely did not happen.
//
// Each attempt authorizes on its own (a provider key per attempt), so a retry
// with the same Idempotency-Key never meets an authorization an earlier attempt
// voided; an attempt voids only its own. An order keeps the reference it was paid
// with, and a replay captures that one (replay.ts). Orders are written
// 'authorized' and marked 'captured' after the capture; one whose capture was
// lost is settled by the capture sweep (domain/payments/capture-sweep.ts).
import { randomUUID } from 'node:crypto';
import type { Payment } from '@tickets/contract/purchase';
import { LockUnavailableError } from '../../event-lock/errors.ts';
import { AppError } from '../errors.ts';
import type { Buyer, PurchaseContext } from './context.ts';
import { KeyUsed } from './idempotency.ts';
import { paymentDeclined } from './refusals.ts';
import type { Settlement } from './settlement.ts';

/**
 * True when the sale surely did not happen, so its authorization may be voided:
 * a refusal (an AppError is only ever raised for a request of which nothing was
 * written: refused, rolled back, or fenced out before its write), or a lock that
 * was never taken. Anything else (a lost connection, a COMMIT whose answer never
 * came) may have committed: its order, if any, is captured by the retry or the
 * capture sweep.
 */
const surelyNotSold = (err: unknown) => err instanceof AppError || err instanceof LockUnavailableError;

/**
 * Authorizes `amountCents` for this attempt alone, runs the sale, then captures
 * what it cost; voids this attempt's authorization when the sale surely did not
 * happen. Declined means nothing is written and nothing stays authorized.
 */
export async function paid(
  ctx: PurchaseContext,
  buyer: Buyer,
  charge: { amountCents: number; currency: string; key: string },
  payment: Payment,
  sale: (paymentRef: string) => Promise<Settlement>,
): Promise<Settlement> {
  const auth = await ctx.payments.authorize({
    ...payment,
    amountCents: charge.amountCents,
    currency: charge.currency,
    // Per attempt, not per Idempotency-Key: a provider answers a key it has seen
    // with the same authorization, which an earlier attempt may have voided.
    idempotencyKey: `${buyer.id}:${charge.key}:${randomUUID()}`,
  });
  if (!auth.approved) throw paymentDeclined();
  let settlement: Settlement;
  try {
    settlement = await sale(auth.reference);
  } catch (err) {
    // The key's earlier order was paid by another attempt: the replay captures
    // that one and voids this one.
    if (err instanceof KeyUsed) {
      err.paymentRef = auth.reference;
      throw err;
    }
    if (surelyNotSold(err)) await voidOwn(ctx, auth.reference);
    throw err;
  }
  await capture(ctx, {
    id: settlement.orderId,
    paymentRef: auth.reference,
    totalCents: settlement.totalCents,
  });
  return settlement;
}

/** Voids an authorization this attempt made and no order uses. */
export async function voidOwn(ctx: PurchaseContext, reference: string): Promise<void> {
  await ctx.payments
    .void(reference)
    .catch((err) =>
      ctx.log.error({ err, reference }, 'void failed; the authorization lapses at the provider'),
    );
}

/**
 * Captures an order's authorization after COMMIT and records that it did (the
 * record is written shortly after, with others: see capture-marks.ts). The order
 * exists whatever the provider says now, so a failure is logged, never turned
 * into a failed purchase: the order stays 'authorized' and the capture sweep
 * tries again. Providers accept a capture repeated with the same reference.
 */
export async function capture(
  ctx: PurchaseContext,
  order: { id: string; paymentRef: string; totalCents: number },
): Promise<void> {
  try {
    await ctx.payments.capture(order.paymentRef, order.totalCents);
  } catch (err) {
    ctx.log.error(
      { err, orderId: order.id, reference: order.paymentRef },
      'capture failed; the capture sweep retries it',
    );
    return;
  }
  ctx.captureMarks.add(order.id);
}
