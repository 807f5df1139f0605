// Bad path parameters: ids that are not uuids, refused by the schema (naming the
// parameter) or by the router itself, and never a 5xx or a change to the data.
import { randomUUID } from 'node:crypto';
import { bearer, createEvent } from '@tickets/testkit/app';
import type { InjectOptions } from 'fastify';
import { expect, it } from 'vitest';
import { API, admin, app, customer } from './app.ts';
import { expectNoInternals, expectProblem } from './problem.ts';
import { eventRow, purchasesOf } from './subjects.ts';

export interface ParamRoute {
  name: string;
  method: 'GET' | 'PATCH' | 'POST' | 'DELETE';
  url: (id: string) => string;
  param: 'eventId' | 'holdId' | 'orderId';
  caller: 'anonymous' | 'customer' | 'admin';
  /** A valid body, for routes that take one. */
  payload?: Record<string, unknown>;
  /** Sends a valid Idempotency-Key. */
  idempotent?: boolean;
}

/** The request a param route gets with this id (valid in everything but the id). */
function paramRequest(route: ParamRoute, id: string): InjectOptions {
  const token =
    route.caller === 'admin' ? bearer(admin) : route.caller === 'customer' ? bearer(customer) : {};
  return {
    method: route.method,
    url: `${API}${route.url(id)}`,
    headers: { ...token, ...(route.idempotent ? { 'idempotency-key': `k-${randomUUID()}` } : {}) },
    ...(route.payload ? { payload: route.payload } : {}),
  };
}

export const BAD_IDS = [
  ['a word', 'abc'],
  ['a number', '12345'],
  ['a uuid missing a digit', '00000000-0000-4000-8000-00000000000'],
  ['a uuid with a non-hex digit', '00000000-0000-4000-8000-00000000000g'],
  ['a SQL fragment', encodeURIComponent("1' OR '1'='1")],
  ['a 100-character id', 'a'.repeat(100)],
] as const;

/** Ids the router itself refuses before any handler or hook runs. */
export const ROUTER_REFUSED_IDS = [
  ['a 101-character id', 'a'.repeat(101)],
  ['a badly percent-encoded id', '%E0%A4%A'],
] as const;

/** Defines the bad-id tests of these routes. */
export function itRefusesBadIds(routes: ParamRoute[]): void {
  it.each(routes.flatMap((route) => BAD_IDS.map(([what, id]) => ({ ...route, what, id }))))(
    'when $name gets $what as the id, then 400 VALIDATION_FAILED naming $param',
    async ({ what: _what, id, ...route }) => {
      const event = await createEvent(app, admin);
      const before = [await eventRow({ event }), await purchasesOf(customer)];
      const res = await app.inject(paramRequest(route, id));
      const body = expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(body.errors.map((e: { path: string }) => e.path)).toContain(`params/${route.param}`);
      expect([await eventRow({ event }), await purchasesOf(customer)]).toEqual(before);
    },
  );

  it.each(routes.flatMap((route) => ROUTER_REFUSED_IDS.map(([what, id]) => ({ ...route, what, id }))))(
    'when $name gets $what, then a 4xx without internals',
    async ({ what: _what, id, ...route }) => {
      const res = await app.inject(paramRequest(route, id));
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expectNoInternals(res);
    },
  );

  // Regression, fixed (packages/contract/src/common.ts `Id` = format "uuid"; ajv-formats' uuid also
  // accepts the "urn:uuid:" prefix, which Prisma then rejects for a @db.Uuid column): every
  // :eventId route answers 500 INTERNAL for GET /api/v1/events/urn:uuid:00000000-0000-4000-8000-000000000000.
  it.each(routes)('when $name gets a urn:uuid: id, then a 4xx, not 500', async (route) => {
    const res = await app.inject(paramRequest(route, `urn:uuid:${randomUUID()}`));
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
  });
}
