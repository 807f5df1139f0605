// A purchase round's decisions, in memory: who gets which seats, and who is
// refused why. One buyer's refusal never fails the others: refusals are decided
// before anything is written.
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { KeyUsed } from './idempotency.ts';
import { type Candidate, pickBest } from './pick-seats.ts';
import { limitExceeded, notThisEvent, seatsUnavailable, soldOut } from './refusals.ts';
import { type BatchState, type BuyRequest, NO_BOUND } from './round-state.ts';
import type { EventSeats, ViewSeat } from './seat-view.ts';
import type { SoldSeat } from './settlement.ts';

export type Decision =
  | { ok: true; orderId: string; seats: SoldSeat[] }
  | { ok: false; error: AppError | KeyUsed };

/** Who gets which seats: requests by seat id first, in queue order, then best-N. */
export function decide(
  state: BatchState,
  requests: BuyRequest[],
  layout: EventSeats,
  used: Set<number>,
): Decision[] {
  const { free, window } = state;
  const taken = new Set<string>();
  // Per buyer: the seats they had, plus those this round gave them so far.
  const counted = new Map(state.owned);
  const overLimit = (r: BuyRequest, seats: number): AppError | undefined => {
    const limit = state.limit ?? r.maxTickets;
    const has = counted.get(r.buyer.id) ?? 0;
    return limit !== undefined && has + seats > limit ? limitExceeded(limit, has) : undefined;
  };
  const give = (r: BuyRequest, seats: number) =>
    counted.set(r.buyer.id, (counted.get(r.buyer.id) ?? 0) + seats);
  // One key, one order: a second request with a key in the same batch replays the first.
  const keys = new Set<string>();
  requests.forEach((r, i) => {
    const k = `${r.buyer.id}\u0000${r.key}`;
    if (keys.has(k)) used.add(i);
    keys.add(k);
  });
  const decisions: Decision[] = requests.map((r, i) => {
    if (used.has(i)) return { ok: false, error: new KeyUsed() };
    if (!('seatIds' in r.selection)) return { ok: false, error: soldOut(0, 0) };
    const ids = r.selection.seatIds;
    const foreign = ids.filter((id) => !layout.seats.has(id));
    if (foreign.length > 0) return { ok: false, error: notThisEvent(ids, foreign) };
    const over = overLimit(r, ids.length);
    if (over) return { ok: false, error: over };
    const unavailable = ids.filter((id) => taken.has(id) || !free.has(id));
    if (unavailable.length > 0) {
      return { ok: false, error: seatsUnavailable(unavailable) };
    }
    for (const id of ids) taken.add(id);
    give(r, ids.length);
    return {
      ok: true,
      orderId: randomUUID(),
      seats: ids.map((id) => {
        const seat = layout.seats.get(id) as ViewSeat;
        return { id, price_cents: seat.priceCents, label: seat.label };
      }),
    };
  });
  requests.forEach((r, i) => {
    if (!('quantity' in r.selection) || used.has(i)) return;
    const quantity = r.selection.quantity;
    // Refused before choosing: its seats stay free for the others of the round.
    const over = overLimit(r, quantity);
    if (over) {
      decisions[i] = { ok: false, error: over };
      return;
    }
    const picked = pickBest(window, quantity, {
      taken,
      maxPriceCents: r.maxSeatPrice,
      rowLength: (s, row) => layout.rowLength(s, row),
    });
    if (picked) {
      for (const s of picked) taken.add(s.id);
      give(r, quantity);
      decisions[i] = { ok: true, orderId: randomUUID(), seats: picked.map(sold) };
      return;
    }
    const bound = r.maxSeatPrice ?? NO_BOUND;
    const left = window.filter((s) => !taken.has(s.id) && s.price_cents <= bound).length;
    decisions[i] = {
      ok: false,
      error: state.windowComplete
        ? soldOut(quantity, left)
        : // The window was too narrow for this buyer's price bound: rare, and
          // answered as "retry", never as a sell-out that may not be true.
          new AppError('UNAVAILABLE', 'The best seats moved while choosing; retry with the same key.'),
    };
  });
  return decisions;
}

const sold = (s: Candidate): SoldSeat => ({ id: s.id, price_cents: s.price_cents, label: s.label });
