import { describe, expect, it } from 'vitest';
import { CARD_DIGITS, MAX_LENGTH, MAX_SEATS_PER_HOLD } from '../src/limits.ts';
import { BuyNowBody, IdempotencyHeaders, OrderHoldBody, SeatSelection } from '../src/purchase.ts';
import { accepts, card, ids, text } from './examples.ts';

const payment = { method: 'test', card: card(16) };

describe('seat selection (holds and one-step orders)', () => {
  it('when seats are named up to MAX_SEATS_PER_HOLD, then they are accepted, and one more is refused', () => {
    expect(accepts(SeatSelection, { seatIds: ids(1) })).toBe(true);
    expect(accepts(SeatSelection, { seatIds: ids(MAX_SEATS_PER_HOLD) })).toBe(true);
    expect(accepts(SeatSelection, { seatIds: ids(MAX_SEATS_PER_HOLD + 1) })).toBe(false);
    expect(accepts(SeatSelection, { seatIds: [] })).toBe(false);
  });

  it('when a seat is named twice or is not an id, then the selection is refused', () => {
    const [seat] = ids(1);
    expect(accepts(SeatSelection, { seatIds: [seat, seat] })).toBe(false);
    expect(accepts(SeatSelection, { seatIds: ['A-1'] })).toBe(false);
    expect(accepts(SeatSelection, { seatIds: [`urn:uuid:${seat}`] })).toBe(false);
  });

  it('when the best N are asked for, then 1 to MAX_SEATS_PER_HOLD is accepted and nothing else', () => {
    expect(accepts(SeatSelection, { quantity: 1 })).toBe(true);
    expect(accepts(SeatSelection, { quantity: MAX_SEATS_PER_HOLD })).toBe(true);
    expect(accepts(SeatSelection, { quantity: MAX_SEATS_PER_HOLD + 1 })).toBe(false);
    expect(accepts(SeatSelection, { quantity: 0 })).toBe(false);
    expect(accepts(SeatSelection, { quantity: 1.5 })).toBe(false);
  });

  it('when both ways or neither are given, or an unknown field, then the selection is refused', () => {
    expect(accepts(SeatSelection, { seatIds: ids(1), quantity: 1 })).toBe(false);
    expect(accepts(SeatSelection, {})).toBe(false);
    expect(accepts(SeatSelection, { quantity: 1, note: 'aisle' })).toBe(false);
  });

  it('when a one-step order is sent, then it takes the same selection plus the payment', () => {
    expect(accepts(BuyNowBody, { quantity: MAX_SEATS_PER_HOLD, payment })).toBe(true);
    expect(accepts(BuyNowBody, { seatIds: ids(MAX_SEATS_PER_HOLD), payment })).toBe(true);
    expect(accepts(BuyNowBody, { quantity: MAX_SEATS_PER_HOLD + 1, payment })).toBe(false);
    expect(accepts(BuyNowBody, { seatIds: ids(MAX_SEATS_PER_HOLD + 1), payment })).toBe(false);
    expect(accepts(BuyNowBody, { quantity: 1 })).toBe(false);
  });
});

describe('payment', () => {
  it.each([CARD_DIGITS.min, CARD_DIGITS.max])('when the card has %i digits, then it is accepted', (n) => {
    expect(accepts(OrderHoldBody, { payment: { method: 'test', card: card(n) } })).toBe(true);
  });

  it.each([CARD_DIGITS.min - 1, CARD_DIGITS.max + 1])(
    'when the card has %i digits, then it is refused',
    (n) => {
      expect(accepts(OrderHoldBody, { payment: { method: 'test', card: card(n) } })).toBe(false);
    },
  );

  it('when the card has spaces or the method is not the test provider, then it is refused', () => {
    expect(accepts(OrderHoldBody, { payment: { method: 'test', card: '4242 4242 4242 4242' } })).toBe(false);
    expect(accepts(OrderHoldBody, { payment: { method: 'visa', card: card(16) } })).toBe(false);
  });
});

describe('Idempotency-Key', () => {
  it('when the key is at most MAX_LENGTH.idempotencyKey visible characters, then it is accepted', () => {
    expect(accepts(IdempotencyHeaders, { 'idempotency-key': text(MAX_LENGTH.idempotencyKey) })).toBe(true);
    expect(accepts(IdempotencyHeaders, { 'idempotency-key': text(MAX_LENGTH.idempotencyKey + 1) })).toBe(
      false,
    );
    expect(accepts(IdempotencyHeaders, { 'idempotency-key': 'two words' })).toBe(false);
    expect(accepts(IdempotencyHeaders, { 'idempotency-key': '' })).toBe(false);
  });
});
