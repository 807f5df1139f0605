// Before a one-step purchase claims anything: refuse what is plainly not there
// (sold out, taken, past the customer's limit) from the replica's in-memory seat
// view, without a lock or a database read, and say how much to authorize: the
// sum of the named seats, or N times the dearest available seat. The view may be
// a moment old (see seat-view.ts); it can only refuse, and a "yes" is decided
// again under the lock. Seat ids the event does not have are bad input, answered
// 400 here: an event's seats never change after it is created, so the view knows
// them exactly.
import type { SeatSelection } from '@tickets/contract/purchase';
import type { AppError } from '../errors.ts';
import { limitExceeded, notThisEvent, seatsUnavailable, soldOut } from './refusals.ts';
import type { EventSeats } from './seat-view.ts';

export interface Inspection {
  refusal?: AppError;
  /** The most the selection can cost. */
  amountCents: number;
  currency: string;
}

/** Who buys, and the event's maxTicketsPerCustomer as this replica knows it (undefined: unknown). */
export interface Customer {
  id: string;
  limit: number | undefined;
}

export function inspectSelection(view: EventSeats, selection: SeatSelection, customer: Customer): Inspection {
  const currency = view.currency;
  const wanted = 'quantity' in selection ? selection.quantity : selection.seatIds.length;
  const owned = view.owned(customer.id);
  const overLimit = (): AppError | undefined =>
    customer.limit !== undefined && owned + wanted > customer.limit
      ? limitExceeded(customer.limit, owned)
      : undefined;
  if ('quantity' in selection) {
    const remaining = view.availableCount();
    const refusal =
      overLimit() ?? (remaining < selection.quantity ? soldOut(selection.quantity, remaining) : undefined);
    return { refusal, amountCents: view.dearestAvailable() * selection.quantity, currency };
  }
  const foreign = selection.seatIds.filter((id) => !view.seats.has(id));
  if (foreign.length > 0) throw notThisEvent(selection.seatIds, foreign);
  let amountCents = 0;
  const unavailable: string[] = [];
  for (const id of selection.seatIds) {
    const seat = view.seats.get(id);
    if (!seat) continue;
    amountCents += seat.priceCents;
    if (seat.status !== 'available') unavailable.push(id);
  }
  const refusal = overLimit() ?? (unavailable.length > 0 ? seatsUnavailable(unavailable) : undefined);
  return { refusal, amountCents, currency };
}
