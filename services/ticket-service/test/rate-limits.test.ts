// Per-client rate limits, counted in the real test Redis and so shared by replicas:
// two apps here are two replicas. Every request names its own client address
// (X-Forwarded-For from a trusted proxy, as the gateway sends it), because the
// store is shared with every other test file of the run.
import { randomBytes } from 'node:crypto';
import { bearer, buildTestApp, createEvent, type TestUser, uniqueEmail } from '@tickets/testkit/app';
import { buyNow, hold, orderHold, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.ts';
import { ensureAdmin } from '../src/domain/accounts/bootstrap-admin.ts';
import { waitFor } from './support/processes.ts';

// The production factor, and limits small enough to reach in a test.
const LIMITS: Partial<Config> = {
  rateLimitFactor: 1,
  rateLimitLoginPerAccount: '3/15m',
  rateLimitLoginPerAddress: '4/1m',
  rateLimitSignupPerAddress: '2/1h',
  rateLimitPasswordChangePerAddress: '1/15m',
  rateLimitHoldsPerUser: '1/1m',
  rateLimitOrdersPerUser: '2/1m',
};

/** A client address nobody else in the run uses (198.18.0.0/15 is for benchmarks). */
const newAddress = () =>
  `198.${18 + ((randomBytes(1)[0] as number) % 2)}.${randomBytes(1)[0]}.${randomBytes(1)[0]}`;
const from = (address: string) => ({ 'x-forwarded-for': address });

let a: FastifyInstance;
let b: FastifyInstance;
let admin: TestUser;

function signupFrom(app: FastifyInstance, address: string, email = uniqueEmail('limits')) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    headers: from(address),
    payload: { email, password: 'correct horse battery', name: 'Limits' },
  });
}

function loginFrom(app: FastifyInstance, address: string, email: string, password: string) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: from(address),
    payload: { email, password },
  });
}

/** A customer signed up from an address of its own. */
async function customer(app: FastifyInstance = a): Promise<TestUser> {
  const email = uniqueEmail('limits');
  const res = await signupFrom(app, newAddress(), email);
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().user.id, email, password: 'correct horse battery', token: res.json().token };
}

function expectRateLimited(res: Awaited<ReturnType<FastifyInstance['inject']>>, maxSeconds: number) {
  expect(res.statusCode, res.body).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', title: 'Too Many Requests' });
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
}

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

describe('login', () => {
  it('when an account had N−1 wrong passwords on replica A, then the Nth attempt on replica B is 429 with Retry-After, even with the right password', async () => {
    const user = await customer();
    // Three failures (the limit), each from another address: the count is the account's.
    for (let i = 0; i < 3; i++) {
      const wrong = await loginFrom(a, newAddress(), user.email, 'not the password');
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().code).toBe('INVALID_CREDENTIALS');
    }
    const refused = await loginFrom(b, newAddress(), user.email.toUpperCase(), user.password);
    expectRateLimited(refused, 15 * 60);
    expect(refused.json().detail).toMatch(/failed logins for this account/);
    // Another account is not affected.
    const other = await customer(b);
    expect((await loginFrom(b, newAddress(), other.email, other.password)).statusCode).toBe(200);
  });

  it('when a buyer logs in successfully again and again, then nothing counts against the account', async () => {
    const user = await customer();
    for (let i = 0; i < 5; i++) {
      const app = i % 2 ? a : b;
      expect((await loginFrom(app, newAddress(), user.email, user.password)).statusCode).toBe(200);
    }
  });

  it('when one address logs in more often than its limit, across replicas, then it is 429 and other addresses are not', async () => {
    const user = await customer();
    const address = newAddress();
    for (let i = 0; i < 4; i++) {
      const res = await loginFrom(i % 2 ? a : b, address, user.email, user.password);
      expect(res.statusCode).toBe(200);
    }
    expectRateLimited(await loginFrom(a, address, user.email, user.password), 60);
    expect((await loginFrom(b, newAddress(), user.email, user.password)).statusCode).toBe(200);
  });
});

describe('signup and password change', () => {
  it('when one address signs up more often than its limit, across replicas, then the next signup is 429 and creates nobody', async () => {
    const address = newAddress();
    expect((await signupFrom(a, address)).statusCode).toBe(201);
    expect((await signupFrom(b, address)).statusCode).toBe(201);
    const email = uniqueEmail('refused');
    const refused = await signupFrom(a, address, email);
    expectRateLimited(refused, 3600);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    expect(await a.db.user.count({ where: { email } })).toBe(0);
    expect((await signupFrom(a, newAddress())).statusCode).toBe(201);
  });

  it('when one address changes passwords more often than its limit, then it is 429', async () => {
    const address = newAddress();
    const change = (app: FastifyInstance, user: TestUser) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/me/password',
        headers: { ...bearer(user), ...from(address) },
        payload: { currentPassword: user.password, newPassword: 'another long password' },
      });
    expect((await change(a, await customer())).statusCode).toBe(204);
    expectRateLimited(await change(b, await customer()), 15 * 60);
  });
});

describe('holds and orders', () => {
  it('when a buyer orders more often than the limit, across replicas, then the next order is 429, buys nothing, and other buyers go on', async () => {
    const event = await createEvent(a, admin);
    const buyer = await customer();
    expect((await buyNow(a, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    expect((await buyNow(b, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    const before = await seatsOf(a, event.id);
    const refused = await buyNow(a, buyer, event.id, { quantity: 1 });
    expectRateLimited(refused, 60);
    expect(await seatsOf(a, event.id)).toEqual(before);
    expect(await a.db.order.count({ where: { userId: buyer.id } })).toBe(2);
    // The order of a hold counts in the same bucket.
    const held = await hold(b, buyer, event.id, { quantity: 1 });
    expect(held.statusCode, held.body).toBe(201);
    expectRateLimited(await orderHold(b, buyer, held.json().id), 60);
    // Another buyer is not affected.
    expect((await buyNow(b, await customer(), event.id, { quantity: 1 })).statusCode).toBe(201);
  });

  it('when a buyer holds more often than the limit, then the next hold is 429 and holds nothing', async () => {
    const event = await createEvent(a, admin);
    const buyer = await customer();
    expect((await hold(a, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    expectRateLimited(await hold(b, buyer, event.id, { quantity: 1 }), 60);
    expect(await a.db.hold.count({ where: { userId: buyer.id } })).toBe(1);
  });
});

describe('TICKETS_RATE_LIMIT_FACTOR', () => {
  it('when the factor is 3, then every limit is three times as high', async () => {
    const app = await buildTestApp({ ...LIMITS, rateLimitFactor: 3, replicaId: 'limits-x3' });
    try {
      const address = newAddress();
      for (let i = 0; i < 6; i++) expect((await signupFrom(app, address)).statusCode).toBe(201);
      expectRateLimited(await signupFrom(app, address), 3600);
      const buyer = await customer(app);
      const event = await createEvent(app, admin);
      for (let i = 0; i < 3; i++)
        expect((await hold(app, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
      expectRateLimited(await hold(app, buyer, event.id, { quantity: 1 }), 60);
    } finally {
      await app.close();
    }
  });
});

describe('when the rate-limit store fails', () => {
  it('then requests are let through (not 500) and the failures are counted', async () => {
    // The first Redis master holds the counts; here it is an address nobody listens on.
    const { redisUrls } = a.config;
    const app = await buildTestApp({
      ...LIMITS,
      replicaId: 'limits-no-store',
      redisUrls: ['redis://127.0.0.1:9', ...redisUrls.slice(1)],
    });
    try {
      const address = newAddress();
      for (let i = 0; i < 4; i++) expect((await signupFrom(app, address)).statusCode).toBe(201);
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const errors = Number(/^tickets_rate_limit_store_errors_total (\d+)/m.exec(metrics)?.[1]);
      expect(errors).toBeGreaterThanOrEqual(4);
    } finally {
      await app.close();
    }
  });
});

describe('seat streams per replica', () => {
  /** Opens a seat stream and keeps it open until close(); resolves once `ready` arrived, or with the refusal. */
  async function openStream(baseUrl: string, eventId: string) {
    const controller = new AbortController();
    const res = await fetch(`${baseUrl}/api/v1/events/${eventId}/stream`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (res.status === 200) {
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while (!text.includes('event: ready')) text += new TextDecoder().decode((await reader.read()).value);
    }
    return { res, body: res.status === 200 ? '' : await res.text(), close: () => controller.abort() };
  }

  it('when a replica has SEAT_STREAMS_MAX open, then the next stream is 503 problem+json with Retry-After until one closes', async () => {
    const app = await buildTestApp({ seatStreamsMax: 2, replicaId: 'limits-streams' });
    try {
      const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      const event = await createEvent(app, admin);
      const first = await openStream(baseUrl, event.id);
      const second = await openStream(baseUrl, event.id);
      expect([first.res.status, second.res.status]).toEqual([200, 200]);
      const refused = await openStream(baseUrl, event.id);
      expect(refused.res.status).toBe(503);
      expect(refused.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.res.headers.get('retry-after')).toBe('1');
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
      first.close();
      await waitFor('the closed stream to be let go', async () => {
        const open = await app.metrics.sseSubscribers.get();
        return open.values[0]?.value === 1;
      });
      const again = await openStream(baseUrl, event.id);
      expect(again.res.status).toBe(200);
      again.close();
      second.close();
    } finally {
      await app.close();
    }
  });
});

describe('the OpenAPI document', () => {
  it('documents 429 on every limited route', async () => {
    const doc = (await a.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const [path, method] of [
      ['/api/v1/auth/signup', 'post'],
      ['/api/v1/auth/login', 'post'],
      ['/api/v1/me/password', 'post'],
      ['/api/v1/events/{eventId}/holds', 'post'],
      ['/api/v1/events/{eventId}/orders', 'post'],
      ['/api/v1/holds/{holdId}/order', 'post'],
    ] as const) {
      expect(Object.keys(doc.paths[path][method].responses), `${method} ${path}`).toContain('429');
    }
    expect(Object.keys(doc.paths['/api/v1/events/{eventId}/stream'].get.responses)).toContain('503');
  });
});
