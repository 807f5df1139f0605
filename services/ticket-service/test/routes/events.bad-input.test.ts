// Bad input on the public event routes (src/routes/events.ts): bad ids and query strings
// are a 4xx problem+json with a stable code, never a 5xx or a stack trace.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { API, app, useBadInputApp } from './support/bad-input/app.ts';
import { itRefusesBadIds, ROUTER_REFUSED_IDS } from './support/bad-input/params.ts';
import { expectProblem } from './support/bad-input/problem.ts';
import { expectListsAnswer, itRefusesBadQueries, queryCases } from './support/bad-input/queries.ts';

useBadInputApp();

describe('bad path parameters', () => {
  itRefusesBadIds([
    {
      name: 'GET /events/:eventId',
      method: 'GET',
      url: (id) => `/events/${id}`,
      param: 'eventId',
      caller: 'anonymous',
    },
    {
      name: 'GET /events/:eventId/seats',
      method: 'GET',
      url: (id) => `/events/${id}/seats`,
      param: 'eventId',
      caller: 'anonymous',
    },
  ]);

  // Regression, fixed (src/server-options.ts sets no `frameworkErrors`): the router answers a path parameter
  // over 100 characters (414 FST_ERR_MAX_PARAM_LENGTH) and a badly percent-encoded path
  // (400 FST_ERR_BAD_URL) with Fastify's default application/json body {error, code, message,
  // statusCode}, not problem+json, and without x-replica-id, e.g.
  // GET /api/v1/events/aaaa…(101 a's).
  it.each(ROUTER_REFUSED_IDS)(
    'when an event id is %s, then the answer is still problem+json',
    async (_what, id) => {
      const res = await app.inject({ method: 'GET', url: `${API}/events/${id}` });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: res.statusCode, code: expect.stringMatching(/^[A-Z_]+$/) });
      expect(res.headers['x-replica-id']).toBe('test-replica');
    },
  );
});

describe('bad query strings', () => {
  itRefusesBadQueries(
    queryCases('GET /events', '/events', false, [
      ['limit 0', 'limit=0', 'limit'],
      ['limit 101', 'limit=101', 'limit'],
      ['limit 1000', 'limit=1000', 'limit'],
      ['limit -5', 'limit=-5', 'limit'],
      ['limit "ten"', 'limit=ten', 'limit'],
      ['limit 2.5', 'limit=2.5', 'limit'],
      ['an empty limit', 'limit=', 'limit'],
      ['limit twice', 'limit=1&limit=2', 'limit'],
      ['an unknown parameter', 'sort=price', 'sort'],
      ['a 201-character cursor', `cursor=${'a'.repeat(201)}`, 'cursor'],
      ['a cursor that is not a position', `cursor=${Buffer.from('-3').toString('base64url')}`, 'cursor'],
      [
        'a position this service did not write',
        `cursor=${Buffer.from(JSON.stringify(['on_sale', 'tomorrow', 'x'])).toString('base64url')}`,
        'cursor',
      ],
    ]),
  );

  it('when the limits are at their bounds, then the list answers 200', async () => {
    await expectListsAnswer(['/events?limit=1', '/events?limit=100']);
  });
});

describe('unknown paths', () => {
  it('when an unknown event id is well-formed, then 404 NOT_FOUND, not 400', async () => {
    const res = await app.inject({ method: 'GET', url: `${API}/events/${randomUUID()}` });
    expectProblem(res, 404, 'NOT_FOUND');
  });
});
