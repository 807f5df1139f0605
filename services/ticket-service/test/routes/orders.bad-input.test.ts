// Bad input on the order routes (src/routes/orders.ts): always a 4xx problem+json with a
// stable code, never a 5xx, a stack trace, a purchase or a kept Idempotency-Key.
import { GOOD_CARD } from '@tickets/testkit/purchase';
import { describe } from 'vitest';
import { useBadInputApp } from './support/bad-input/app.ts';
import { itRefusesBadBodies } from './support/bad-input/bodies.ts';
import { paymentCases, seatSelectionCases } from './support/bad-input/body-cases.ts';
import { itRefusesBadIds } from './support/bad-input/params.ts';
import { itRefusesBadIdempotencyKeys, itRefusesWrongSeats } from './support/bad-input/purchases.ts';

useBadInputApp();

describe('bad request bodies', () => {
  itRefusesBadBodies(['buyNow'], [...seatSelectionCases('buyNow'), ...paymentCases('buyNow')]);
});

describe('bad Idempotency-Key headers', () => {
  itRefusesBadIdempotencyKeys('buyNow');
});

describe('purchase requests that pass the schema but name the wrong things', () => {
  itRefusesWrongSeats('buyNow');
});

describe('bad path parameters', () => {
  itRefusesBadIds([
    {
      name: 'POST /events/:eventId/orders',
      method: 'POST',
      url: (id) => `/events/${id}/orders`,
      param: 'eventId',
      caller: 'customer',
      payload: { quantity: 1, payment: GOOD_CARD },
      idempotent: true,
    },
    {
      name: 'GET /orders/:orderId',
      method: 'GET',
      url: (id) => `/orders/${id}`,
      param: 'orderId',
      caller: 'customer',
    },
  ]);
});
