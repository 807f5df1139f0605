// The tests every JSON body route gets: its bad cases (plus the ones every body must
// refuse), a body over the limit, the wrong content types, an empty body, and the valid
// request as the control that makes each case fail for its one defect only.
import { randomUUID } from 'node:crypto';
import { bearer } from '@tickets/testkit/app';
import type { InjectOptions } from 'fastify';
import { expect, it } from 'vitest';
import { API, admin, app, JSON_TYPE } from './app.ts';
import { anyBodyCases, type BodyCase } from './body-cases.ts';
import { BODY_ROUTES, type BodyRoute, type BodyRouteKey, requestHeaders } from './body-routes.ts';
import { expectProblem, namedFields } from './problem.ts';
import { subjectFor } from './subjects.ts';

async function sendBodyCase(c: BodyCase) {
  const route: BodyRoute = BODY_ROUTES[c.route];
  const subject = await subjectFor(route);
  const valid = route.valid(subject);
  const before = await route.snapshot(subject);
  const m = c.mutate;
  const request: InjectOptions =
    'raw' in m
      ? {
          headers: { ...JSON_TYPE, ...(m.contentType ? { 'content-type': m.contentType } : {}) },
          payload: m.raw(valid),
        }
      : { headers: {}, payload: m.body(valid) as InjectOptions['payload'] };
  const res = await app.inject({
    ...request,
    method: route.method,
    url: `${API}${route.url(subject)}`,
    headers: { ...request.headers, ...requestHeaders(route, subject) },
  });
  return { res, before, after: () => route.snapshot(subject) };
}

/** Defines the bad-body tests of these routes; `cases` are their own, besides the common ones. */
export function itRefusesBadBodies(keys: BodyRouteKey[], cases: BodyCase[]): void {
  const routes: BodyRoute[] = keys.map((key) => BODY_ROUTES[key]);
  const all = [...keys.flatMap(anyBodyCases), ...cases].map((c) => ({
    ...c,
    name: BODY_ROUTES[c.route].name,
  }));

  it.each(all)('when $name gets $kind, then 400 VALIDATION_FAILED and nothing changes', async (c) => {
    const { res, before, after } = await sendBodyCase(c);
    const body = expectProblem(res, 400, 'VALIDATION_FAILED', { errors: true });
    if ('body' in c.mutate && c.mutate.fields) {
      const named = namedFields(body);
      for (const field of c.mutate.fields) expect(named).toContain(field);
    }
    expect(await after()).toEqual(before);
  });

  it.each(routes)(
    'when $name gets a ~300 KiB body, then 413 PAYLOAD_TOO_LARGE and nothing changes',
    async (route) => {
      expect(app.config.bodyLimitBytes).toBe(256 * 1024);
      const subject = await subjectFor(route);
      const before = await route.snapshot(subject);
      const payload = JSON.stringify({ ...route.valid(subject), padding: 'x'.repeat(300 * 1024) });
      const res = await app.inject({
        method: route.method,
        url: `${API}${route.url(subject)}`,
        headers: { ...JSON_TYPE, ...requestHeaders(route, subject) },
        payload,
      });
      expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(await route.snapshot(subject)).toEqual(before);
    },
  );

  it.each(
    routes.flatMap((route) =>
      ['text/plain', 'application/x-www-form-urlencoded', 'application/xml'].map((type) => ({
        ...route,
        type,
      })),
    ),
  )('when $name is sent as $type, then a 4xx problem and nothing changes', async ({ type, ...route }) => {
    const subject = await subjectFor(route);
    const before = await route.snapshot(subject);
    const res = await app.inject({
      method: route.method,
      url: `${API}${route.url(subject)}`,
      headers: { 'content-type': type, ...requestHeaders(route, subject) },
      payload: JSON.stringify(route.valid(subject)),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expectProblem(res, res.statusCode, res.json().code, { errors: false });
    expect(await route.snapshot(subject)).toEqual(before);
  });

  it.each(routes)('when $name has an empty JSON body, then 400 and nothing changes', async (route) => {
    const subject = await subjectFor(route);
    const before = await route.snapshot(subject);
    const res = await app.inject({
      method: route.method,
      url: `${API}${route.url(subject)}`,
      headers: { ...JSON_TYPE, ...requestHeaders(route, subject) },
      payload: '',
    });
    expectProblem(res, 400, 'VALIDATION_FAILED', { errors: false });
    expect(await route.snapshot(subject)).toEqual(before);
  });

  it('when the valid bodies of this file are sent, then they succeed (so the cases above fail for their one defect)', async () => {
    for (const route of routes) {
      const subject = await subjectFor(route);
      const res = await app.inject({
        method: route.method,
        url: `${API}${route.url(subject)}`,
        headers: requestHeaders(route, subject),
        payload: route.valid(subject),
      });
      expect(res.statusCode, `${route.name}: ${res.body}`).toBe(route.validStatus);
    }
  });
}

/**
 * Defines the test that a string with U+0000 is refused: it passes every Type.String()
 * schema, and Postgres refuses NUL bytes in text (the regression answered 500 INTERNAL).
 */
export function itRefusesNulCharacters(
  rows: (readonly [name: string, url: string, body: (marker: string) => Record<string, unknown>])[],
): void {
  it.each(rows)('when %s gets a string with a NUL character, then 400, not 500', async (_name, url, body) => {
    const res = await app.inject({
      method: 'POST',
      url: `${API}${url}`,
      headers: bearer(admin),
      payload: body(`nul${randomUUID().slice(0, 8)}`),
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });
}
