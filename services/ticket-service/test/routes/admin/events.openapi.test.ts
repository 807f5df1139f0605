// The OpenAPI document on the routes of src/routes/admin/events.ts, and their real answers.
import { createEvent, signup } from '@tickets/testkit/app';
import { describe, it } from 'vitest';
import { expectErrorsMatch, expectSuccessesMatch } from '../support/openapi/answers.ts';
import { CONTRACT_BY_MODULE } from '../support/openapi/contract.ts';
import { itDocumentsTheContract } from '../support/openapi/contract-tests.ts';
import { admin, app, useOpenApiApp } from '../support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.adminEvents);
});

function eventLayout() {
  return {
    description: 'doc',
    venue: 'Doc Hall',
    startsAt: new Date(Date.now() + 86400_000).toISOString(),
    currency: 'EUR',
    layout: { sections: [{ name: 'A', rows: 1, seatsPerRow: 2, priceCents: 100 }] },
  };
}

describe('real answers match the document', () => {
  it('when each documented route answers successfully, then the body matches its documented schema', async () => {
    const event = await createEvent(app, admin);
    await expectSuccessesMatch([
      ['POST /admin/events', '/admin/events', { ...eventLayout(), title: `doc-${event.id}` }, admin],
      ['PATCH /admin/events/:eventId', `/admin/events/${event.id}`, { status: 'closed' }, admin],
      ['GET /admin/events', '/admin/events', undefined, admin],
      ['GET /admin/events/:eventId/orders', `/admin/events/${event.id}/orders`, undefined, admin],
    ]);
  });

  it('when routes answer with errors, then each problem matches the documented error schema', async () => {
    const customer = await signup(app, 'openapi-errors');
    await expectErrorsMatch([['GET /admin/events', 403, 'GET', '/admin/events', undefined, customer]]);
  });
});
