// The OpenAPI document on src/routes/stream.ts, and its real answers (from the listening
// server: the stream never ends when it succeeds).
import { randomUUID } from 'node:crypto';
import { createEvent } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { API_PREFIX, openStream } from '../support/routes.ts';
import { CONTRACT_BY_MODULE } from './support/openapi/contract.ts';
import { itDocumentsTheContract } from './support/openapi/contract-tests.ts';
import {
  admin,
  app,
  baseUrl,
  expectMatches,
  type Operation,
  operation,
  useOpenApiApp,
} from './support/openapi/document.ts';

useOpenApiApp({ listen: true });

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.stream);
});

describe('real answers match the document', () => {
  it('when the seat stream opens, then it answers with a documented status and media type', async () => {
    const event = await createEvent(app, admin);
    const res = await openStream(baseUrl, `${API_PREFIX}/events/${event.id}/stream`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^event: ready$/m);
    const media = res.headers.get('content-type')?.split(';')[0] ?? '';
    const documented = (operation('GET /events/:eventId/stream') as Operation).responses['200'];
    expect(Object.keys(documented?.content ?? {}), 'the documented media types of its 200').toContain(media);
  });

  it('when the seat stream refuses a request, then the problem matches the documented error schema', async () => {
    for (const [status, id] of [
      [404, randomUUID()],
      [400, 'not-a-uuid'],
    ] as const) {
      const res = await openStream(baseUrl, `${API_PREFIX}/events/${id}/stream`);
      expect(res.status, res.body).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expectMatches('GET /events/:eventId/stream', status, JSON.parse(res.body));
    }
  });
});
