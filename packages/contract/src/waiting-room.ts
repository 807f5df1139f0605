import { type Static, Type } from 'typebox';
import { DateTime, Problem } from './common.ts';
import { ADMIT_PER_MINUTE } from './limits.ts';

export const WaitingRoom = Type.Object(
  {
    enabled: Type.Boolean(),
    admitPerMinute: Type.Integer({
      minimum: ADMIT_PER_MINUTE.min,
      maximum: ADMIT_PER_MINUTE.max,
      description: 'customers the queue admits per minute, across all replicas',
    }),
  },
  { additionalProperties: false },
);
export type WaitingRoom = Static<typeof WaitingRoom>;

export const SalesStartAt = Type.Union([DateTime, Type.Null()], {
  description: 'holds and orders are refused (409 SALES_NOT_OPEN) before this time; null: open now',
});

const Waiting = Type.Object({
  state: Type.Literal('waiting'),
  position: Type.Integer({ minimum: 1, description: '1: next to be admitted' }),
  estimatedWaitSeconds: Type.Integer({ minimum: 0 }),
  provisional: Type.Boolean({
    description:
      'true before the opening: everyone who joins before salesStartAt is put in a random order then, so this is the place the draw would give now',
  }),
});

const Admitted = Type.Object({
  state: Type.Literal('admitted'),
  admissionToken: Type.String({
    description: 'send as the Admission-Token header with holds and one-step orders of this event',
  }),
  expiresAt: DateTime,
});

const Expired = Type.Object({
  state: Type.Literal('expired'),
  expiredAt: DateTime,
  // (No token: POST the queue again to get a new place, at the back.)
});

export const QueueState = Type.Union([Waiting, Admitted, Expired]);
export type QueueState = Static<typeof QueueState>;

export const AdmissionHeaders = {
  'admission-token': Type.Optional(
    Type.String({
      description:
        'needed on events with a waiting room: the token GET/POST /events/{eventId}/queue gives once admitted; missing, expired or not for this customer and event → 403 ADMISSION_REQUIRED',
    }),
  ),
};

const problem = { 'application/problem+json': { schema: Problem } };

/**
 * The refusals of the sales gate on holds and one-step orders (spread after
 * problems(): they name the codes instead of "problem details").
 */
export const GateRefusals = {
  403: {
    description:
      'ADMISSION_REQUIRED: the event has a waiting room and the Admission-Token is missing, expired, or not for this customer and event (`reason`: missing, invalid, expired)',
    content: problem,
  },
  409: {
    description:
      'SALES_NOT_OPEN before the event’s salesStartAt (with `salesStartAt`); LIMIT_EXCEEDED when the customer’s tickets and held seats would pass the event’s maxTicketsPerCustomer (with `remaining`); else SEAT_UNAVAILABLE or SOLD_OUT, and for one-step orders IDEMPOTENCY_CONFLICT',
    content: problem,
  },
};
