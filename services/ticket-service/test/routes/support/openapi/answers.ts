// Real answers read against the document: each request is sent, and its answer must have
// the expected status and match the schema documented for that status.
import { bearer, type TestUser } from '@tickets/testkit/app';
import { expect } from 'vitest';
import { API_PREFIX } from '../../../support/routes.ts';
import { CONTRACT, type Spec } from './contract.ts';
import { app, expectMatches } from './document.ts';

/** [route, url relative to /api/v1, body, caller]: each must answer its documented success. */
export type SuccessCall = [string, string, Record<string, unknown> | undefined, TestUser | null];

export async function expectSuccessesMatch(calls: SuccessCall[]): Promise<void> {
  for (const [route, url, payload, user] of calls) {
    const spec = CONTRACT[route] as Spec;
    const res = await app.inject({
      method: route.split(' ')[0] as 'GET',
      url: `${API_PREFIX}${url}`,
      headers: user ? bearer(user) : {},
      ...(payload ? { payload } : {}),
    });
    expect(res.statusCode, `${route}: ${res.body}`).toBe(spec.success);
    expectMatches(route, spec.success, res.json());
  }
}

/** [route, status, method, url relative to /api/v1, body, caller]: each must answer `status`. */
export type ErrorCall = [string, number, string, string, unknown, TestUser | null];

export async function expectErrorsMatch(calls: ErrorCall[]): Promise<void> {
  for (const [route, status, method, url, payload, user] of calls) {
    const res = await app.inject({
      method: method as 'GET',
      url: `${API_PREFIX}${url}`,
      headers: user ? bearer(user) : {},
      ...(payload ? { payload: payload as Record<string, unknown> } : {}),
    });
    expect(res.statusCode, `${route}: ${res.body}`).toBe(status);
    expectMatches(route, status, res.json());
  }
}
