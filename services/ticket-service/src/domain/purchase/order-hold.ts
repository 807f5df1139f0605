// POST /holds/:holdId/order: buy the seats of a hold. The story: claim the
// Idempotency-Key (or answer the order it already names), check the hold,
// authorize its price, sell its seats under the event lock behind the fence,
// capture, answer.
import type { Payment } from '@tickets/contract/purchase';
import { notFound } from '../errors.ts';
import type { Buyer, PurchaseContext } from './context.ts';
import { finalizeOrder } from './finalize-order.ts';
import { requestHash, withClaimedKey } from './idempotency.ts';
import { confirmed, countFailure, type PurchaseResult } from './outcome.ts';
import { paid } from './payment-steps.ts';
import { holdAlreadyBought, holdExpired } from './refusals.ts';
import { replayOrder } from './replay.ts';

export async function orderHold(
  ctx: PurchaseContext,
  buyer: Buyer,
  holdId: string,
  payment: Payment,
  key: string,
): Promise<PurchaseResult> {
  const started = performance.now();
  const hash = requestHash('order-hold', holdId, { payment });
  return withClaimedKey(ctx.db, buyer.id, key, hash, {
    replay: (orderId) => replayOrder(ctx, orderId),
    work: async (owner) => {
      try {
        const hold = await orderableHold(ctx, buyer, holdId);
        const charge = { amountCents: hold.totalCents, currency: hold.event.currency, key };
        const { view } = await paid(ctx, buyer, charge, payment, (paymentRef) =>
          finalizeOrder(ctx, {
            holdId,
            eventId: hold.eventId,
            actor: buyer,
            idempotency: { key, owner },
            paymentRef,
          }),
        );
        return confirmed(ctx, started, view);
      } catch (err) {
        countFailure(ctx, err);
        throw err;
      }
    },
  });
}

/** The buyer's own hold, still active: anything else is refused before paying. */
async function orderableHold(ctx: PurchaseContext, buyer: Buyer, holdId: string) {
  const hold = await ctx.db.hold.findUnique({
    where: { id: holdId },
    include: { event: { select: { currency: true } } },
  });
  if (!hold || hold.userId !== buyer.id) throw notFound('hold');
  if (hold.status === 'ordered') throw holdAlreadyBought(hold.seatIds);
  if (hold.status !== 'active' || hold.expiresAt.getTime() <= Date.now()) throw holdExpired();
  return hold;
}
