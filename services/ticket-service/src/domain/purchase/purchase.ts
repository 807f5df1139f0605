// The two ways to buy: order an existing hold, or claim and buy in one step.
// Both authorize the payment before anything is sold (outside the event lock, so
// a slow provider never blocks other buyers), capture after COMMIT, and void when
// the purchase surely did not happen.
//
// Each attempt authorizes on its own (a provider key per attempt), so a retry
// with the same Idempotency-Key never meets an authorization an earlier attempt
// voided; an attempt voids only its own. An order keeps the reference it was paid
// with, and a replay captures that one. Orders are written 'authorized' and
// marked 'captured' after the capture; one whose capture was lost is settled by
// the capture sweep (domain/payments/capture-sweep.ts).
import { randomUUID } from 'node:crypto';
import type { Payment, SeatSelection } from '@tickets/contract/purchase';
import { LockUnavailableError } from '../../lib/event-lock.ts';
import type { Actor } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import type { PurchaseContext } from './context.ts';
import { finalizeOrder } from './finalize-order.ts';
import { beginIdempotent, KeyUsed, requestHash, settleIdempotent, storedOrderOf } from './idempotency.ts';
import { loadOrder, type OrderView } from './orders.ts';
import { inspectSelection } from './precheck.ts';
import { distinctSeatIds } from './seat-claims.ts';
import { type BuyRequest, type Settlement, sellBatch } from './sell-batch.ts';

export interface PurchaseResult {
  order: OrderView;
  /** True when an earlier request with the same key made this order. */
  replayed: boolean;
}

type Buyer = Actor & { id: string };

/** Hold orders claim their key first (lease, takeover), then buy. */
async function idempotently(
  ctx: PurchaseContext,
  buyer: Buyer,
  key: string,
  hash: string,
  purchase: (owner: string) => Promise<Settlement>,
): Promise<PurchaseResult> {
  const started = performance.now();
  const start = await beginIdempotent(ctx.db, buyer.id, key, hash);
  if (start.kind === 'replay') return replayOrder(ctx, start.orderId);
  try {
    const { view: order } = await purchase(start.owner);
    ctx.metrics.orders.inc({ outcome: 'confirmed' });
    ctx.metrics.purchaseSeconds.observe((performance.now() - started) / 1000);
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
async function paid(
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
  if (!auth.approved) throw new AppError('PAYMENT_DECLINED', 'The payment was declined; nothing was bought.');
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
async function voidOwn(ctx: PurchaseContext, reference: string): Promise<void> {
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
async function capture(
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
    const charge = { amountCents: hold.totalCents, currency: hold.event.currency, key };
    return paid(ctx, buyer, charge, payment, (paymentRef) =>
      finalizeOrder(ctx, {
        holdId,
        eventId: hold.eventId,
        actor: buyer,
        idempotency: { key, owner },
        paymentRef,
      }),
    );
  });
}

/**
 * POST /events/:eventId/orders: buy in one step, in the event's next batch. The
 * Idempotency-Key is stored with the order, in the batch's one statement, so a
 * purchase sends nothing to the database before its batch: a key already used
 * makes the batch leave that request out, and it replays the earlier order.
 */
export async function buyNow(
  ctx: PurchaseContext,
  buyer: Buyer,
  eventId: string,
  selection: SeatSelection,
  payment: Payment,
  key: string,
): Promise<PurchaseResult> {
  const started = performance.now();
  const hash = requestHash('buy-now', eventId, { selection, payment });
  const wanted = 'seatIds' in selection ? { seatIds: distinctSeatIds(selection.seatIds) } : selection;
  const [view, maxTickets] = await Promise.all([ctx.seatViews.of(eventId), ctx.ticketLimitOf(eventId)]);
  const { amountCents, currency, refusal } = inspectSelection(view, wanted, {
    id: buyer.id,
    limit: maxTickets,
  });
  if (refusal) {
    // A retry of a purchase that already happened is replayed, whatever the seats look like now.
    if (!(await ctx.usedKeys.has(buyer.id, key))) {
      ctx.metrics.orders.inc({ outcome: refusal.code.toLowerCase() });
      throw refusal;
    }
    return replay(ctx, buyer, key, hash);
  }
  // Seats dearer than what was authorized may have come free since the
  // inspection; best-N then chooses among those the authorization covers.
  const maxSeatPrice = 'quantity' in wanted ? Math.floor(amountCents / wanted.quantity) : undefined;
  try {
    const { view: order } = await paid(ctx, buyer, { amountCents, currency, key }, payment, (paymentRef) =>
      ctx.locks.inBatch(
        eventId,
        'buy',
        { buyer, selection: wanted, maxSeatPrice, maxTickets, key, hash, paymentRef },
        (lock, requests: BuyRequest[]) => sellBatch(ctx, eventId, lock, requests, view),
      ),
    );
    ctx.metrics.orders.inc({ outcome: 'confirmed' });
    ctx.metrics.purchaseSeconds.observe((performance.now() - started) / 1000);
    ctx.metrics.seatsSold.inc(order.seats.length);
    return { order, replayed: false };
  } catch (err) {
    if (err instanceof KeyUsed) return replay(ctx, buyer, key, hash, err.paymentRef);
    // A retry of a purchase that went through counts that purchase's own seats
    // against the limit: it is replayed, not refused (this refusal's
    // authorization was voided already).
    if (err instanceof AppError && err.code === 'LIMIT_EXCEEDED' && (await ctx.usedKeys.has(buyer.id, key))) {
      return replay(ctx, buyer, key, hash);
    }
    ctx.metrics.orders.inc({ outcome: err instanceof AppError ? err.code.toLowerCase() : 'error' });
    throw err;
  }
}

/**
 * The order an earlier request with this key made, captured if it is not yet
 * (the first request may have died between its commit and its capture). The
 * authorization this request made is voided: the order was paid by another.
 */
async function replay(
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
async function replayOrder(ctx: PurchaseContext, orderId: string, ownRef?: string): Promise<PurchaseResult> {
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
