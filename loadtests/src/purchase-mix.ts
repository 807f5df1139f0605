// What a buyer asks for, and how an answer is classified: shared by the autocannon
// generator (generator.ts), the retrying buyers of the faults scenario (buyers.ts)
// and the settling of indeterminate requests (verify.ts).
import { randomUUID } from 'node:crypto';
import type { BuyNowBody, SeatSelection } from '@tickets/contract/purchase';
import type { PurchaseMix } from './plan.ts';

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)] as T;

export interface Purchase {
  event: { id: string; seatIds: string[] };
  buyer: { id: string; token: string };
  key: string;
  /** The seat selection and the payment: the body of a one-step purchase. */
  body: BuyNowBody;
}

/** One purchase drawn from the mix, with a fresh Idempotency-Key. */
export function nextPurchase(mix: PurchaseMix): Purchase {
  const event = pick(mix.events);
  const buyer = pick(mix.buyers);
  const n = 1 + Math.floor(Math.random() * mix.maxSeats);
  let selection: SeatSelection;
  if (Math.random() < mix.quantityShare) selection = { quantity: n };
  else {
    // The first `hotSeats` seats (all by default), indexed in place: a copy of the
    // list per request cost the generator more than building the request.
    const pool = Math.min(mix.hotSeats ?? event.seatIds.length, event.seatIds.length);
    const start = Math.floor(Math.random() * Math.max(1, pool - n));
    selection = { seatIds: event.seatIds.slice(start, Math.min(start + n, pool)) };
  }
  const card = Math.random() < mix.declineShare ? '4000000000000002' : '4242424242424242';
  return { event, buyer, key: randomUUID(), body: { ...selection, payment: { method: 'test', card } } };
}

/**
 * ok: 2xx, the purchase happened; fail: 4xx, a definite refusal; info: anything else
 * (5xx, no answer): it may or may not have happened, and only a retry with the same
 * Idempotency-Key tells.
 */
export function outcomeOf(status: number): 'ok' | 'fail' | 'info' {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400 && status < 500) return 'fail';
  return 'info';
}

/** How an answer is counted in reports: `201`, `409 SEAT_UNAVAILABLE`, `no answer (TIMEOUT)`. */
export function answerLabel(status: number, code?: string): string {
  if (status === 0) return `no answer (${code ?? 'error'})`;
  return outcomeOf(status) === 'ok' || !code ? String(status) : `${status} ${code}`;
}
