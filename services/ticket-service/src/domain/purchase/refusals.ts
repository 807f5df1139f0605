// The purchase path's refusals, each worded once: what a buyer hears when seats,
// limits, holds or payments say no. Every one is an AppError raised before
// anything is written (or rolled back with it), so it is a definite answer: the
// payment is voided and the Idempotency-Key freed (payment-steps.ts, idempotency.ts).
import type { SeatSelection } from '@tickets/contract/purchase';
import { AppError } from '../errors.ts';

/** The event is closed; names the seats asked for by id, if any. */
export const salesClosed = (selection: SeatSelection) =>
  new AppError('SEAT_UNAVAILABLE', 'Sales for this event are closed.', {
    unavailable: 'seatIds' in selection ? selection.seatIds : [],
  });

export const seatsUnavailable = (unavailable: string[]) =>
  new AppError('SEAT_UNAVAILABLE', 'Some of the requested seats are held or sold.', { unavailable });

export const soldOut = (quantity: number, remaining: number) =>
  new AppError('SOLD_OUT', `Fewer than ${quantity} seats remain for this event.`, { remaining });

/** 400 naming each requested seat that is not one of the event's. */
export function notThisEvent(seatIds: string[], foreign: string[]): AppError {
  return new AppError('VALIDATION_FAILED', 'Some seats do not belong to this event.', {
    errors: foreign.map((id) => ({
      path: `body/seatIds/${seatIds.indexOf(id)}`,
      message: `seat ${id} is not a seat of this event`,
    })),
  });
}

/**
 * 409 LIMIT_EXCEEDED for a customer who has `owned` of the event's tickets and
 * held seats, under a limit of `limit`: `remaining` is what they may still get.
 */
export function limitExceeded(limit: number, owned: number): AppError {
  const remaining = Math.max(0, limit - owned);
  return new AppError(
    'LIMIT_EXCEEDED',
    `At most ${limit} tickets per customer for this event; you may get ${remaining} more.`,
    { remaining, maxTicketsPerCustomer: limit },
  );
}

/** An order of a hold that was bought already. */
export const holdAlreadyBought = (seatIds: string[]) =>
  new AppError('SEAT_UNAVAILABLE', 'This hold has already been bought.', { unavailable: seatIds });

/** A release of a hold that was bought: its seats are sold. */
export const holdBought = (seatIds: string[]) =>
  new AppError('SEAT_UNAVAILABLE', 'This hold has been bought; its seats are sold.', {
    unavailable: seatIds,
  });

export const holdExpired = () =>
  new AppError('HOLD_EXPIRED', 'The hold ran out; its seats went back on sale.');

/** The hold ran out between the check and the purchase's transaction. */
export const holdExpiredBeforePurchase = () =>
  new AppError('HOLD_EXPIRED', 'The hold ran out before the purchase; its seats went back on sale.');

export const paymentDeclined = () =>
  new AppError('PAYMENT_DECLINED', 'The payment was declined; nothing was bought.');
