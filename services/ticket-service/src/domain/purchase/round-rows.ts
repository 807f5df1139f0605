// What a purchase round's decisions become once decided: the winners' rows for
// the sale writer, the seat changes for the feed, and each buyer's answer.
import type { SeatChange } from '../../event-lock/fence.ts';
import type { ItemOutcome } from '../../event-lock/types.ts';
import type { PurchaseContext } from './context.ts';
import type { Decision } from './decide.ts';
import type { BuyRequest } from './round-state.ts';
import type { Fence, Written } from './sale-writer.ts';
import { type Settlement, settlement, totalOf } from './settlement.ts';

/** The winners' rows of the round, written with other events' rounds (sale-writer.ts). */
export function writeWinners(
  ctx: PurchaseContext,
  eventId: string,
  fence: Fence,
  requests: BuyRequest[],
  decided: Decision[],
  createdAt: Date,
): Promise<Written | undefined> {
  const winners = requests.flatMap((r, i) => {
    const d = decided[i] as Decision;
    return d.ok ? [{ r, d, total: totalOf(d.seats) }] : [];
  });
  return ctx.saleWriter.write({
    eventId,
    fence,
    createdAt,
    seats: winners.flatMap((w) =>
      w.d.seats.map((s) => ({ id: s.id, orderId: w.d.orderId, priceCents: s.price_cents })),
    ),
    orders: winners.map((w) => ({
      id: w.d.orderId,
      userId: w.r.buyer.id,
      totalCents: w.total,
      paymentRef: w.r.paymentRef,
      key: w.r.key,
      hash: w.r.hash,
      email: w.r.buyer.email,
      detail: JSON.stringify({
        eventId,
        holdId: null,
        seatIds: w.d.seats.map((s) => s.id),
        totalCents: w.total,
      }),
    })),
  });
}

/** The seats the round sold, each to its buyer. */
export function soldChanges(requests: BuyRequest[], decided: Decision[]): SeatChange[] {
  return decided.flatMap((d, i) =>
    d.ok
      ? d.seats.map((s) => ({
          id: s.id,
          status: 'sold' as const,
          owner: (requests[i] as BuyRequest).buyer.id,
        }))
      : [],
  );
}

/** Each buyer's answer after the round committed: their order, or their refusal. */
export function answers(
  ctx: PurchaseContext,
  eventId: string,
  requests: BuyRequest[],
  decided: Decision[],
  written: Written,
  createdAt: Date,
): ItemOutcome<Settlement>[] {
  return requests.map((request, i): ItemOutcome<Settlement> => {
    const d = decided[i] as Decision;
    if (!d.ok) return { ok: false, error: d.error };
    try {
      ctx.faults.afterCommit?.('order');
    } catch (error) {
      return { ok: false, error };
    }
    return {
      ok: true,
      value: settlement({
        id: d.orderId,
        eventId,
        eventTitle: written.title,
        currency: written.currency,
        userEmail: request.buyer.email,
        seats: d.seats,
        createdAt,
      }),
    };
  });
}
