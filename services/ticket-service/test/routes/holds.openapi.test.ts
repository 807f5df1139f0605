// The OpenAPI document on the routes of src/routes/holds.ts, and real answers of a
// purchase from a hold and of a one-step purchase (src/routes/orders.ts), in one flow.
import { randomUUID } from 'node:crypto';
import { createEvent, signup } from '@tickets/testkit/app';
import { DECLINED_CARD, GOOD_CARD, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { CONTRACT_BY_MODULE } from './support/openapi/contract.ts';
import { itDocumentsTheContract } from './support/openapi/contract-tests.ts';
import {
  admin,
  alternatives,
  app,
  call,
  expectMatches,
  operation,
  useOpenApiApp,
} from './support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.holds);

  it('when the purchase bodies are documented, then seatIds, quantity, payment and Idempotency-Key carry their limits', () => {
    const bodyOf = (route: string) =>
      alternatives(operation(route)?.requestBody?.content['application/json']?.schema);
    const [bySeats, byQuantity] = bodyOf('POST /events/:eventId/holds');
    expect(bySeats?.properties?.seatIds).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 10,
      uniqueItems: true,
      items: { type: 'string', format: 'uuid' },
    });
    expect(byQuantity?.properties?.quantity).toMatchObject({ type: 'integer', minimum: 1, maximum: 10 });
    const payments = [...bodyOf('POST /holds/:holdId/order'), ...bodyOf('POST /events/:eventId/orders')].map(
      (shape) => shape.properties?.payment,
    );
    expect(payments).toHaveLength(3);
    for (const payment of payments) {
      expect(payment).toMatchObject({ type: 'object', additionalProperties: false });
      expect([...(payment?.required ?? [])].sort()).toEqual(['card', 'method']);
      // method is the one literal 'test': a const, or an enum of one.
      const method = payment?.properties?.method;
      expect(method?.const === undefined ? method?.enum : [method.const]).toEqual(['test']);
      expect(payment?.properties?.card).toMatchObject({ type: 'string', pattern: expect.any(String) });
    }
    for (const route of ['POST /holds/:holdId/order', 'POST /events/:eventId/orders']) {
      const key = operation(route)?.parameters?.find((p) => p.name === 'idempotency-key');
      expect(key?.schema, route).toMatchObject({ type: 'string', minLength: 1, maxLength: 255 });
    }
  });
});

describe('real answers match the document', () => {
  it('when the hold and order routes answer successfully, then each body matches its documented schema', async () => {
    const customer = await signup(app, 'openapi-buyer');
    const event = await createEvent(app, admin);
    const seats = (await seatsOf(app, event.id)).seats;
    const answer = async (route: string, status: number, res: Awaited<ReturnType<typeof call>>) => {
      expect(res.statusCode, `${route}: ${res.body}`).toBe(status);
      if (status === 204) expect(res.body).toBe('');
      else expectMatches(route, status, res.json());
      return status === 204 ? undefined : res.json();
    };

    const first = await answer(
      'POST /events/:eventId/holds',
      201,
      await call(customer, 'POST', `/events/${event.id}/holds`, { quantity: 2 }),
    );
    await answer('GET /holds/:holdId', 200, await call(customer, 'GET', `/holds/${first.id}`));
    await answer('DELETE /holds/:holdId', 204, await call(customer, 'DELETE', `/holds/${first.id}`));

    const second = await answer(
      'POST /events/:eventId/holds',
      201,
      await call(customer, 'POST', `/events/${event.id}/holds`, { seatIds: [seats[0]?.id, seats[1]?.id] }),
    );
    const key = randomUUID();
    const order = { payment: GOOD_CARD };
    const bought = await answer(
      'POST /holds/:holdId/order',
      201,
      await call(customer, 'POST', `/holds/${second.id}/order`, order, key),
    );
    await answer(
      'POST /holds/:holdId/order',
      200,
      await call(customer, 'POST', `/holds/${second.id}/order`, order, key),
    );

    const buyKey = randomUUID();
    const buy = { quantity: 1, payment: GOOD_CARD };
    await answer(
      'POST /events/:eventId/orders',
      201,
      await call(customer, 'POST', `/events/${event.id}/orders`, buy, buyKey),
    );
    await answer(
      'POST /events/:eventId/orders',
      200,
      await call(customer, 'POST', `/events/${event.id}/orders`, buy, buyKey),
    );

    const list = await answer('GET /orders', 200, await call(customer, 'GET', '/orders'));
    expect(list.items).toHaveLength(2);
    await answer('GET /orders/:orderId', 200, await call(customer, 'GET', `/orders/${bought.id}`));
  });

  it('when the hold and order routes answer with errors, then each problem matches the documented error schema', async () => {
    const customer = await signup(app, 'openapi-refused');
    const rival = await signup(app, 'openapi-rival');
    const event = await createEvent(app, admin);
    const seats = (await seatsOf(app, event.id)).seats;
    const missing = randomUUID();
    const held = await call(customer, 'POST', `/events/${event.id}/holds`, { seatIds: [seats[0]?.id] });
    expect(held.statusCode, held.body).toBe(201);
    const holdId = held.json().id as string;
    const key = randomUUID();
    const calls: [string, number, () => ReturnType<typeof call>][] = [
      [
        'POST /events/:eventId/holds',
        400,
        () => call(customer, 'POST', `/events/${event.id}/holds`, { quantity: 0 }),
      ],
      [
        'POST /events/:eventId/holds',
        401,
        () => call(null, 'POST', `/events/${event.id}/holds`, { quantity: 1 }),
      ],
      [
        'POST /events/:eventId/holds',
        404,
        () => call(customer, 'POST', `/events/${missing}/holds`, { quantity: 1 }),
      ],
      [
        'POST /events/:eventId/holds',
        409,
        () => call(rival, 'POST', `/events/${event.id}/holds`, { seatIds: [seats[0]?.id] }),
      ],
      [
        'POST /events/:eventId/holds',
        413,
        () =>
          call(customer, 'POST', `/events/${event.id}/holds`, { quantity: 1, pad: 'x'.repeat(300 * 1024) }),
      ],
      ['GET /holds/:holdId', 400, () => call(customer, 'GET', '/holds/not-a-uuid')],
      ['GET /holds/:holdId', 401, () => call(null, 'GET', `/holds/${holdId}`)],
      ['GET /holds/:holdId', 404, () => call(rival, 'GET', `/holds/${holdId}`)],
      ['DELETE /holds/:holdId', 404, () => call(customer, 'DELETE', `/holds/${missing}`)],
      [
        'POST /holds/:holdId/order',
        400,
        () => call(customer, 'POST', `/holds/${holdId}/order`, { payment: GOOD_CARD }),
      ],
      [
        'POST /holds/:holdId/order',
        402,
        () => call(customer, 'POST', `/holds/${holdId}/order`, { payment: DECLINED_CARD }, randomUUID()),
      ],
      [
        'POST /holds/:holdId/order',
        404,
        () => call(customer, 'POST', `/holds/${missing}/order`, { payment: GOOD_CARD }, key),
      ],
      [
        'POST /holds/:holdId/order',
        201,
        () => call(customer, 'POST', `/holds/${holdId}/order`, { payment: GOOD_CARD }, key),
      ],
      // The same key for another purchase.
      [
        'POST /holds/:holdId/order',
        409,
        () =>
          call(
            customer,
            'POST',
            `/holds/${holdId}/order`,
            { payment: { ...GOOD_CARD, card: '5555555555554444' } },
            key,
          ),
      ],
      // A hold that has been bought cannot be given up.
      ['DELETE /holds/:holdId', 409, () => call(customer, 'DELETE', `/holds/${holdId}`)],
      [
        'POST /events/:eventId/orders',
        402,
        () =>
          call(
            customer,
            'POST',
            `/events/${event.id}/orders`,
            { quantity: 1, payment: DECLINED_CARD },
            randomUUID(),
          ),
      ],
      [
        'POST /events/:eventId/orders',
        409,
        () =>
          call(
            rival,
            'POST',
            `/events/${event.id}/orders`,
            { seatIds: [seats[0]?.id], payment: GOOD_CARD },
            randomUUID(),
          ),
      ],
      ['GET /orders', 401, () => call(null, 'GET', '/orders')],
      ['GET /orders/:orderId', 400, () => call(customer, 'GET', '/orders/12345')],
      ['GET /orders/:orderId', 404, () => call(customer, 'GET', `/orders/${missing}`)],
    ];
    for (const [route, status, send] of calls) {
      const res = await send();
      expect(res.statusCode, `${route}: ${res.body}`).toBe(status);
      expectMatches(route, status, res.json());
    }
  });
});
