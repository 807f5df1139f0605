// Per-client rate limits, counted in the real test Redis and so shared by replicas:
// two apps here are two replicas. Every request names its own client address
// (X-Forwarded-For from a trusted proxy, as the gateway sends it), because the
// store is shared with every other test file of the run.
import { randomBytes } from 'node:crypto';
import { buildTestApp, type TestUser, uniqueEmail } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Config } from '../../src/config.ts';
import { ensureAdmin } from '../../src/domain/accounts/bootstrap-admin.ts';

// The production factor, and limits small enough to reach in a test.
export const LIMITS: Partial<Config> = {
  rateLimitFactor: 1,
  rateLimitLoginPerAccount: '3/15m',
  rateLimitLoginPerAddress: '4/1m',
  rateLimitSignupPerAddress: '2/1h',
  rateLimitPasswordChangePerAddress: '1/15m',
  rateLimitHoldsPerUser: '1/1m',
  rateLimitOrdersPerUser: '2/1m',
};

/** A client address nobody else in the run uses (198.18.0.0/15 is for benchmarks). */
export const newAddress = () =>
  `198.${18 + ((randomBytes(1)[0] as number) % 2)}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
export const from = (address: string) => ({ 'x-forwarded-for': address });

// Set by useTwoReplicas before the file's tests run; importers see the current values
// through the live bindings.
export let a: FastifyInstance;
export let b: FastifyInstance;
export let admin: TestUser;

export function useTwoReplicas(): void {
  beforeAll(async () => {
    [a, b] = await Promise.all([
      buildTestApp({ ...LIMITS, replicaId: 'limits-a' }),
      buildTestApp({ ...LIMITS, replicaId: 'limits-b' }),
    ]);
    const email = uniqueEmail('limits-admin');
    await ensureAdmin(a.domain, { email, password: 'admin password 1' });
    const login = await loginFrom(a, newAddress(), email, 'admin password 1');
    admin = { id: login.json().user.id, email, password: 'admin password 1', token: login.json().token };
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });
}

export function signupFrom(app: FastifyInstance, address: string, email = uniqueEmail('limits')) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    headers: from(address),
    payload: { email, password: 'correct horse battery', name: 'Limits' },
  });
}

export function loginFrom(app: FastifyInstance, address: string, email: string, password: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: from(address),
    payload: { email, password },
  });
}

/** A customer signed up from an address of its own. */
export async function customer(app: FastifyInstance = a): Promise<TestUser> {
  const email = uniqueEmail('limits');
  const res = await signupFrom(app, newAddress(), email);
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().user.id, email, password: 'correct horse battery', token: res.json().token };
}

export function expectRateLimited(res: Awaited<ReturnType<FastifyInstance['inject']>>, maxSeconds: number) {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', title: 'Too Many Requests' });
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
}
