// POST /events/:eventId/orders: buy in one step, in the event's next round. The
// story: check the selection against the replica's seat view (a refusal that is
// a retry of a purchase that went through replays it instead), authorize the
// most it can cost, sell under the event lock with the round, capture, answer.
// The Idempotency-Key is stored with the order, in the round's one statement, so
// a purchase sends nothing to the database before its round: a key already used
// makes the round leave that request out, and it replays the earlier order.
import type { Payment, SeatSelection } from '@tickets/contract/purchase';
import { AppError } from '../errors.ts';
import type { Buyer, PurchaseContext } from './context.ts';
import { KeyUsed, requestHash } from './idempotency.ts';
import { confirmed, countFailure, type PurchaseResult } from './outcome.ts';
import { paid } from './payment-steps.ts';
import { inspectSelection } from './precheck.ts';
import { replay } from './replay.ts';
import { distinctSeatIds } from './seat-claims.ts';
import { sellInRound } from './sell-batch.ts';

export async function buyNow(
  ctx: PurchaseContext,
  buyer: Buyer,
  eventId: string,
  selection: SeatSelection,
  payment: Payment,
  key: string,
): Promise<PurchaseResult> {
  const started = performance.now();
  // The request's fingerprint, stored with its order: only what goes on to be sold
  // or replayed needs it (in a surge most requests are refused from the view).
  const fingerprint = () => requestHash('buy-now', eventId, { selection, payment });
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
    return replay(ctx, buyer, key, fingerprint());
  }
  const hash = fingerprint();
  // Seats dearer than what was authorized may have come free since the
  // inspection; best-N then chooses among those the authorization covers.
  const maxSeatPrice = 'quantity' in wanted ? Math.floor(amountCents / wanted.quantity) : undefined;
  try {
    const { view: order } = await paid(ctx, buyer, { amountCents, currency, key }, payment, (paymentRef) =>
      sellInRound(ctx, eventId, view, {
        buyer,
        selection: wanted,
        maxSeatPrice,
        maxTickets,
        key,
        hash,
        paymentRef,
      }),
    );
    return confirmed(ctx, started, order);
  } catch (err) {
    if (err instanceof KeyUsed) return replay(ctx, buyer, key, hash, err.paymentRef);
    // A retry of a purchase that went through counts that purchase's own seats
    // against the limit: it is replayed, not refused (this refusal's
    // authorization was voided already).
    if (err instanceof AppError && err.code === 'LIMIT_EXCEEDED' && (await ctx.usedKeys.has(buyer.id, key))) {
      return replay(ctx, buyer, key, hash);
    }
    countFailure(ctx, err);
    throw err;
  }
}
