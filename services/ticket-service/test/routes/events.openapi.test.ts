// The OpenAPI document on the routes of src/routes/events.ts, and their real answers.
import { createEvent } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { API_PREFIX } from '../support/routes.ts';
import { expectErrorsMatch, expectSuccessesMatch } from './support/openapi/answers.ts';
import { CONTRACT_BY_MODULE } from './support/openapi/contract.ts';
import { itDocumentsTheContract } from './support/openapi/contract-tests.ts';
import { admin, app, useOpenApiApp } from './support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.events);
});

describe('real answers match the document', () => {
  it('when each documented route answers successfully, then the body matches its documented schema', async () => {
    const event = await createEvent(app, admin);
    await expectSuccessesMatch([
      ['GET /events', '/events?limit=5', undefined, null],
      ['GET /events/:eventId', `/events/${event.id}`, undefined, null],
      ['GET /events/:eventId/seats', `/events/${event.id}/seats`, undefined, null],
    ]);
    // Neither has the 304 of a seat map revalidated with its ETag.
    const seats = `${API_PREFIX}/events/${event.id}/seats`;
    const etag = String((await app.inject({ method: 'GET', url: seats })).headers.etag);
    const revalidated = await app.inject({
      method: 'GET',
      url: seats,
      headers: { 'if-none-match': etag },
    });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
  });

  it('when routes answer with errors, then each problem matches the documented error schema', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    await expectErrorsMatch([
      ['GET /events/:eventId', 404, 'GET', `/events/${missing}`, undefined, null],
      ['GET /events/:eventId', 400, 'GET', '/events/not-a-uuid', undefined, null],
    ]);
  });
});
