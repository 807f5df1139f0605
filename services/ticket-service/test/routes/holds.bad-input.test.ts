// Bad input on the hold routes (src/routes/holds.ts): always a 4xx problem+json with a
// stable code, never a 5xx, a stack trace, a purchase or a kept Idempotency-Key.
import { randomUUID } from 'node:crypto';
import { bearer } from '@tickets/testkit/app';
import { GOOD_CARD } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { API, app, customer, useBadInputApp } from './support/bad-input/app.ts';
import { itRefusesBadBodies } from './support/bad-input/bodies.ts';
import { bodyCase, paymentCases, seatSelectionCases } from './support/bad-input/body-cases.ts';
import { BODY_ROUTES, type BodyRoute } from './support/bad-input/body-routes.ts';
import { itRefusesBadIds } from './support/bad-input/params.ts';
import { expectProblem } from './support/bad-input/problem.ts';
import {
  itRefusesBadIdempotencyKeys,
  itRefusesWrongSeats,
  selectSeats,
} from './support/bad-input/purchases.ts';
import { purchasesOf, subjectFor } from './support/bad-input/subjects.ts';

useBadInputApp();

describe('bad request bodies', () => {
  itRefusesBadBodies(
    ['hold', 'orderHold'],
    [
      ...seatSelectionCases('hold'),
      bodyCase('hold', 'a payment (holds are not paid for)', (v) => ({ ...v, payment: GOOD_CARD }), [
        'payment',
      ]),
      ...paymentCases('orderHold'),
      bodyCase(
        'orderHold',
        'seatIds (the hold decides the seats)',
        (v) => ({ ...v, seatIds: [randomUUID()] }),
        ['seatIds'],
      ),
      bodyCase('orderHold', 'an amount (the hold decides the price)', (v) => ({ ...v, totalCents: 1 }), [
        'totalCents',
      ]),
    ],
  );
});

describe('bad Idempotency-Key headers', () => {
  itRefusesBadIdempotencyKeys('orderHold');
});

describe('purchase requests that pass the schema but name the wrong things', () => {
  itRefusesWrongSeats('hold');

  it('when a seat is refused by the service rather than the schema, then errors[].path has the same form as schema errors', async () => {
    const route: BodyRoute = BODY_ROUTES.hold;
    const subject = await subjectFor(route);
    const bySchema = expectProblem(await selectSeats(route, subject, ['A1']), 400, 'VALIDATION_FAILED');
    const byService = expectProblem(
      await selectSeats(route, subject, [randomUUID()]),
      400,
      'VALIDATION_FAILED',
    );
    const paths = (body: { errors: { path: string }[] }) => [...new Set(body.errors.map((e) => e.path))];
    expect(paths(bySchema)).toContain('body/seatIds/0');
    for (const path of paths(byService)) expect(path).toMatch(/^body\/seatIds(\/\d+)?$/);
  });

  it('when a hold that does not exist is ordered, released or read, then 404 NOT_FOUND and no key is kept', async () => {
    const before = await purchasesOf(customer);
    const id = randomUUID();
    for (const [method, url] of [
      ['POST', `/holds/${id}/order`],
      ['DELETE', `/holds/${id}`],
      ['GET', `/holds/${id}`],
      ['GET', `/orders/${id}`],
    ] as const) {
      const res = await app.inject({
        method,
        url: `${API}${url}`,
        headers: { ...bearer(customer), 'idempotency-key': `k-${randomUUID()}` },
        ...(method === 'POST' ? { payload: { payment: GOOD_CARD } } : {}),
      });
      expectProblem(res, 404, 'NOT_FOUND');
    }
    expect(await purchasesOf(customer)).toEqual(before);
  });
});

describe('bad path parameters', () => {
  itRefusesBadIds([
    {
      name: 'POST /events/:eventId/holds',
      method: 'POST',
      url: (id) => `/events/${id}/holds`,
      param: 'eventId',
      caller: 'customer',
      payload: { quantity: 1 },
    },
    {
      name: 'GET /holds/:holdId',
      method: 'GET',
      url: (id) => `/holds/${id}`,
      param: 'holdId',
      caller: 'customer',
    },
    {
      name: 'DELETE /holds/:holdId',
      method: 'DELETE',
      url: (id) => `/holds/${id}`,
      param: 'holdId',
      caller: 'customer',
    },
    {
      name: 'POST /holds/:holdId/order',
      method: 'POST',
      url: (id) => `/holds/${id}/order`,
      param: 'holdId',
      caller: 'customer',
      payload: { payment: GOOD_CARD },
      idempotent: true,
    },
  ]);
});
