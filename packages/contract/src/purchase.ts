import { type Static, Type } from 'typebox';
import { DateTime, Id } from './common.ts';
import { Seat } from './events.ts';
import { CARD_DIGITS, MAX_LENGTH, MAX_SEATS_PER_HOLD } from './limits.ts';

const SeatIds = Type.Array(Id, { minItems: 1, maxItems: MAX_SEATS_PER_HOLD, uniqueItems: true });
const Quantity = Type.Integer({ minimum: 1, maximum: MAX_SEATS_PER_HOLD });

export const SeatSelection = Type.Union([
  Type.Object({ seatIds: SeatIds }, { additionalProperties: false }),
  Type.Object({ quantity: Quantity }, { additionalProperties: false }),
]);
export type SeatSelection = Static<typeof SeatSelection>;

export const Payment = Type.Object(
  {
    method: Type.Literal('test'),
    card: Type.String({
      pattern: `^[0-9]{${CARD_DIGITS.min},${CARD_DIGITS.max}}$`,
      description: 'test provider: cards ending 0002 are declined',
    }),
  },
  { additionalProperties: false },
);
export type Payment = Static<typeof Payment>;

export const OrderHoldBody = Type.Object({ payment: Payment }, { additionalProperties: false });
export type OrderHoldBody = Static<typeof OrderHoldBody>;

export const BuyNowBody = Type.Union([
  Type.Object({ seatIds: SeatIds, payment: Payment }, { additionalProperties: false }),
  Type.Object({ quantity: Quantity, payment: Payment }, { additionalProperties: false }),
]);
export type BuyNowBody = Static<typeof BuyNowBody>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 1,
    maxLength: MAX_LENGTH.idempotencyKey,
    pattern: '^[\\x21-\\x7E]+$',
    description: 'unique per purchase; a retry with the same key and body returns the same order',
  }),
});

export const Hold = Type.Object({
  id: Id,
  eventId: Id,
  seats: Type.Array(Seat),
  totalCents: Type.Integer(),
  currency: Type.String(),
  expiresAt: DateTime,
  status: Type.Union([
    Type.Literal('active'),
    Type.Literal('ordered'),
    Type.Literal('released'),
    Type.Literal('expired'),
  ]),
});
export type Hold = Static<typeof Hold>;

export const HoldParams = Type.Object({ holdId: Id }, { additionalProperties: false });
export const OrderParams = Type.Object({ orderId: Id }, { additionalProperties: false });
