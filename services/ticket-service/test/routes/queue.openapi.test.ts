// The OpenAPI document on the routes of src/routes/queue.ts, and the real answers of the
// waiting room and of the purchases it refuses.
import { createEvent, signup } from '@tickets/testkit/app';
import { GOOD_CARD } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { API_PREFIX } from '../support/routes.ts';
import { CONTRACT_BY_MODULE } from './support/openapi/contract.ts';
import { itDocumentsTheContract } from './support/openapi/contract-tests.ts';
import { admin, app, call, expectMatches, useOpenApiApp } from './support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.queue);
});

describe('real answers match the document', () => {
  it('when the waiting room answers, then its states and refusals match the document', async () => {
    const customer = await signup(app, 'openapi-queue');
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const [room, notYet] = [
      await createEvent(app, admin, { waitingRoom: { enabled: true, admitPerMinute: 60 } }),
      await createEvent(app, admin, { salesStartAt: later }),
    ];
    const queue = `/events/${room.id}/queue`;
    expectMatches('GET /events/:eventId/queue', 404, (await call(customer, 'GET', queue)).json());
    const joined = await call(customer, 'POST', queue);
    expect(joined.statusCode, joined.body).toBe(200);
    expectMatches('POST /events/:eventId/queue', 200, joined.json());
    expectMatches('GET /events/:eventId/queue', 200, (await call(customer, 'GET', queue)).json());
    const event = await app.inject({ method: 'GET', url: `${API_PREFIX}/events/${room.id}` });
    expectMatches('GET /events/:eventId', 200, event.json());
    const refusals: [string, number, Awaited<ReturnType<typeof call>>][] = [
      [
        'POST /events/:eventId/holds',
        403,
        await call(customer, 'POST', `/events/${room.id}/holds`, { quantity: 1 }),
      ],
      [
        'POST /events/:eventId/orders',
        403,
        await call(customer, 'POST', `/events/${room.id}/orders`, { quantity: 1, payment: GOOD_CARD }, 'k-1'),
      ],
      [
        'POST /events/:eventId/holds',
        409,
        await call(customer, 'POST', `/events/${notYet.id}/holds`, { quantity: 1 }),
      ],
    ];
    for (const [route, status, res] of refusals) {
      expect(res.statusCode, `${route}: ${res.body}`).toBe(status);
      expectMatches(route, status, res.json());
    }
  });
});
