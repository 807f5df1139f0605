// Bad requests for the seat stream (src/routes/stream.ts). The stream never ends when it
// succeeds, so it is requested from the listening server rather than injected.
import { randomUUID } from 'node:crypto';
import { createEvent } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { openStream } from '../support/routes.ts';
import { API, admin, app, baseUrl, useBadInputApp } from './support/bad-input/app.ts';
import { BAD_IDS, ROUTER_REFUSED_IDS } from './support/bad-input/params.ts';
import { answerOf, expectProblem } from './support/bad-input/problem.ts';

useBadInputApp({ listen: true });

describe('bad requests for the seat stream', () => {
  const stream = async (id: string, headers: Record<string, string> = {}) =>
    answerOf(await openStream(baseUrl, `${API}/events/${id}/stream`, { headers }));

  it.each(BAD_IDS)(
    'when GET /events/:eventId/stream gets %s as the id, then 400 VALIDATION_FAILED naming eventId',
    async (_what, id) => {
      const body = expectProblem(await stream(id), 400, 'VALIDATION_FAILED');
      expect(body.errors.map((e: { path: string }) => e.path)).toContain('params/eventId');
    },
  );

  it.each([...ROUTER_REFUSED_IDS, ['a urn:uuid: id', `urn:uuid:${randomUUID()}`]] as const)(
    'when GET /events/:eventId/stream gets %s, then a 4xx problem without internals',
    async (_what, id) => {
      const res = await stream(id);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expectProblem(res, res.statusCode, res.json().code, { errors: false });
    },
  );

  it('when the stream of an event that does not exist is requested, then 404 NOT_FOUND problem+json', async () => {
    const res = await stream(randomUUID());
    expectProblem(res, 404, 'NOT_FOUND');
    expect(res.headers['x-replica-id']).toBe('test-replica');
  });

  it('when the stream is asked for with Accept: text/event-stream, then it opens (control for the case below)', async () => {
    const event = await createEvent(app, admin);
    const res = await stream(event.id, { accept: 'text/event-stream' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^event: ready$/m);
  });

  // API.md, Errors: every error is application/problem+json with a code.
  it('when the stream is asked for as JSON only, then the refusal is a 4xx problem+json, not a bare JSON body', async () => {
    const event = await createEvent(app, admin);
    const res = await stream(event.id, { accept: 'application/json' });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expectProblem(res, res.statusCode, String(res.json().code), { errors: false });
    expect(res.headers['x-replica-id']).toBe('test-replica');
  });
});
