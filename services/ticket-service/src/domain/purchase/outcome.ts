// How a purchase ends, as the buyer hears it and the metrics count it.
import { AppError } from '../errors.ts';
import type { PurchaseContext } from './context.ts';
import type { OrderView } from './orders.ts';

export interface PurchaseResult {
  order: OrderView;
  /** True when an earlier request with the same key made this order. */
  replayed: boolean;
}

/** A purchase that went through: counted, timed from `started`, answered. */
export function confirmed(ctx: PurchaseContext, started: number, order: OrderView): PurchaseResult {
  ctx.metrics.orders.inc({ outcome: 'confirmed' });
  ctx.metrics.purchaseSeconds.observe((performance.now() - started) / 1000);
  ctx.metrics.seatsSold.inc(order.seats.length);
  return { order, replayed: false };
}

/** A purchase that failed, counted by its answer's code. */
export function countFailure(ctx: PurchaseContext, err: unknown): void {
  ctx.metrics.orders.inc({ outcome: err instanceof AppError ? err.code.toLowerCase() : 'error' });
}
