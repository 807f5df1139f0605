// The two ways to buy: order an existing hold, or hold and buy in one step.
// Both authorize the payment before anything is sold (outside the event lock, so
// a slow provider never blocks other buyers), capture after COMMIT, and void when
// the purchase fails.
import { LockUnavailableError } from '../../lib/event-lock.ts';
import type { Actor } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import type { PurchaseContext } from './context.ts';
import { finalizeOrder } from './finalize-order.ts';
import { createHold, releaseHoldSeats, type SeatSelection } from './holds.ts';
import { beginIdempotent, requestHash, settleIdempotent } from './idempotency.ts';
import { loadOrder, type OrderView } from './orders.ts';
import { precheckSelection } from './precheck.ts';

export interface Payment {
  method: 'test';
  card: string;
}

export interface PurchaseResult {
  order: OrderView;
  /** True when an earlier request with the same key made this order. */
  replayed: boolean;
}

type Buyer = Actor & { id: string };

async function idempotently(
  ctx: PurchaseContext,
  buyer: Buyer,
  key: string,
  hash: string,
  purchase: (owner: string) => Promise<string>,
  precheck?: () => Promise<AppError | undefined>,
): Promise<PurchaseResult> {
  const started = performance.now();
  if (precheck && !(await keyExists(ctx, buyer.id, key))) {
    const refusal = await precheck();
    // A request with this key that is already under way claimed it before it
    // took its seats; it, not the refusal, decides the answer.
    if (refusal && !(await keyExists(ctx, buyer.id, key))) {
      ctx.metrics.orders.inc({ outcome: refusal.code.toLowerCase() });
      throw refusal;
    }
  }
  const start = await beginIdempotent(ctx.db, buyer.id, key, hash);
  if (start.kind === 'replay') {
    ctx.metrics.idempotentReplays.inc();
    return { order: await loadOrder(ctx.db, start.orderId), replayed: true };
  }
  try {
    const orderId = await purchase(start.owner);
    ctx.metrics.orders.inc({ outcome: 'confirmed' });
    ctx.metrics.purchaseSeconds.observe((performance.now() - started) / 1000);
    const order = await loadOrder(ctx.db, orderId);
    ctx.metrics.seatsSold.inc(order.seats.length);
    return { order, replayed: false };
  } catch (err) {
    // A lock that could not be taken means the transaction never ran: as
    // definite as a 4xx, so the key is freed and nothing stays written.
    const definite = (err instanceof AppError && err.status < 500) || err instanceof LockUnavailableError;
    ctx.metrics.orders.inc({ outcome: err instanceof AppError ? err.code.toLowerCase() : 'error' });
    await settleIdempotent(ctx.db, buyer.id, key, start.owner, definite);
    throw err;
  }
}

async function keyExists(ctx: PurchaseContext, userId: string, key: string): Promise<boolean> {
  const found = await ctx.db.idempotencyRecord.findUnique({
    where: { userId_key: { userId, key } },
    select: { key: true },
  });
  return found !== null;
}

async function payAndFinalize(
  ctx: PurchaseContext,
  buyer: Buyer,
  hold: { id: string; eventId: string; totalCents: number; currency: string },
  payment: Payment,
  idempotency: { key: string; owner: string },
): Promise<string> {
  const auth = await ctx.payments.authorize({
    ...payment,
    amountCents: hold.totalCents,
    currency: hold.currency,
    idempotencyKey: `${buyer.id}:${idempotency.key}`,
  });
  if (!auth.approved) throw new AppError('PAYMENT_DECLINED', 'The payment was declined; nothing was bought.');
  try {
    const orderId = await finalizeOrder(ctx, {
      holdId: hold.id,
      eventId: hold.eventId,
      actor: buyer,
      idempotency,
      paymentRef: auth.reference,
    });
    await ctx.payments.capture(auth.reference);
    return orderId;
  } catch (err) {
    await ctx.payments.void(auth.reference).catch(() => {});
    throw err;
  }
}

/** POST /holds/:holdId/order */
export async function orderHold(
  ctx: PurchaseContext,
  buyer: Buyer,
  holdId: string,
  payment: Payment,
  key: string,
): Promise<PurchaseResult> {
  const hash = requestHash('order-hold', holdId, { payment });
  return idempotently(ctx, buyer, key, hash, async (owner) => {
    const hold = await ctx.db.hold.findUnique({
      where: { id: holdId },
      include: { event: { select: { currency: true } } },
    });
    if (!hold || hold.userId !== buyer.id) throw notFound('hold');
    if (hold.status === 'ordered') {
      throw new AppError('SEAT_UNAVAILABLE', 'This hold has already been bought.', {
        unavailable: hold.seatIds,
      });
    }
    if (hold.status !== 'active' || hold.expiresAt.getTime() <= Date.now()) {
      throw new AppError('HOLD_EXPIRED', 'The hold ran out; its seats went back on sale.');
    }
    return payAndFinalize(ctx, buyer, { ...hold, currency: hold.event.currency }, payment, { key, owner });
  });
}

/** POST /events/:eventId/orders: hold and buy in one step. */
export async function buyNow(
  ctx: PurchaseContext,
  buyer: Buyer,
  eventId: string,
  selection: SeatSelection,
  payment: Payment,
  key: string,
): Promise<PurchaseResult> {
  const hash = requestHash('buy-now', eventId, { selection, payment });
  const precheck = () => precheckSelection(ctx, eventId, selection);
  return idempotently(
    ctx,
    buyer,
    key,
    hash,
    async (owner) => {
      const hold = await createHold(ctx, buyer, eventId, selection);
      try {
        return await payAndFinalize(ctx, buyer, hold, payment, { key, owner });
      } catch (err) {
        // Nothing may be left behind by a failed one-step purchase. If the release
        // itself fails, the hold still runs out by itself.
        await releaseHoldSeats(ctx, buyer, eventId, hold.id, 'released').catch(() => false);
        throw err;
      }
    },
    precheck,
  );
}
