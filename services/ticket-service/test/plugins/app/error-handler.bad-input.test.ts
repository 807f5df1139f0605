// Paths no route answers (src/plugins/app/error-handler.ts, the not-found handler):
// 404 NOT_FOUND problem+json, whatever the method, version or query.
import { bearer } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { app, customer, useBadInputApp } from '../../routes/support/bad-input/app.ts';
import { expectProblem } from '../../routes/support/bad-input/problem.ts';

useBadInputApp();

describe('unknown paths', () => {
  it.each([
    ['GET', '/api/v1/nope'],
    ['GET', `/api/v1/events/${'00000000-0000-4000-8000-000000000000'}/nope`],
    ['POST', '/api/v1/events'],
    ['DELETE', '/api/v1/admin/users'],
    ['GET', '/api/v2/events'],
    ['GET', '/nope?x=<script>'],
    ['POST', '/api/v1/orders'],
    ['DELETE', `/api/v1/orders/${'00000000-0000-4000-8000-000000000000'}`],
    ['PUT', `/api/v1/holds/${'00000000-0000-4000-8000-000000000000'}`],
    ['GET', '/api/v1/holds'],
  ])('when %s %s is requested, then 404 NOT_FOUND problem+json', async (method, url) => {
    const res = await app.inject({ method: method as 'GET', url, headers: bearer(customer) });
    expectProblem(res, 404, 'NOT_FOUND');
    expect(res.headers['x-replica-id']).toBe('test-replica');
  });
});
