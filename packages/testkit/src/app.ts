// Builds the real service (real Postgres and Redis from the global setup) for
// app.inject tests, with per-test data helpers.
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import app, { type AppOptions } from '@tickets/ticket-service/app';
import { ensureAdmin } from '@tickets/ticket-service/bootstrap-admin';
import { type Config, loadConfig } from '@tickets/ticket-service/config';
import type { PaymentProvider } from '@tickets/ticket-service/payment-provider';
import { serverOptions } from '@tickets/ticket-service/server-options';
import { createTestPaymentProvider } from '@tickets/ticket-service/test-payment-provider';
import Fastify, { type FastifyInstance } from 'fastify';
import { TEST_RATE_LIMIT_FACTOR } from './rate-limit-factor.ts';
import { testServices } from './services.ts';

export function testConfig(overrides: Partial<Config> = {}): Config {
  const { databaseUrl, redisUrls } = testServices();
  return loadConfig(
    {
      DATABASE_URL: databaseUrl,
      REDIS_URLS: redisUrls.join(','),
      JWT_SECRET: 'test-secret-that-is-long-enough',
      LOG_LEVEL: 'silent',
      REPLICA_ID: 'test-replica',
      DB_POOL_SIZE: '5',
      // Every replica sweeps the expired holds of ALL events, so in a test run
      // any app could expire another test's hold. Only apps that test expiry
      // sweep (they set holdSweepIntervalMs), and only one test file does.
      HOLD_SWEEP_INTERVAL_MS: '3600000',
      // The same for orders whose capture was lost: only tests of the capture
      // sweep run it, on a database of their own.
      CAPTURE_SWEEP_INTERVAL_MS: '3600000',
      // Likewise refunds and webhook deliveries: only their own tests send them.
      REFUND_SWEEP_INTERVAL_MS: '3600000',
      WEBHOOK_SEND_INTERVAL_MS: '3600000',
      // Every test comes from one address and many buy as one user; the rate
      // limits are tested with their own settings (services/ticket-service/test/rate-limits/).
      TICKETS_RATE_LIMIT_FACTOR: TEST_RATE_LIMIT_FACTOR,
      // The fixed test secret above is weak on purpose (secrets are tested in config.test.ts).
      TICKETS_ALLOW_WEAK_SECRETS: '1',
    },
    overrides,
  );
}

/**
 * The payment provider of every app this test file builds, as one external
 * provider serves every replica: it knows each authorization, and refuses (and
 * records in `violations`) a capture of a voided one, more than authorized, or a
 * reference it never issued.
 */
export const testPayments = createTestPaymentProvider({ strict: true });

/**
 * The service on the test databases. `payments` defaults to `testPayments`;
 * `faults` are the purchase path's hooks, the same object as the app's
 * `faults` (so a test may also set them later). `logStream` takes the
 * replica's log lines; `before` runs on the server before the service is
 * registered (a root hook there runs ahead of the service's own).
 */
export async function buildTestApp(
  overrides: Partial<Config> = {},
  {
    payments = testPayments,
    faults,
    now,
    logStream,
    before,
  }: {
    payments?: PaymentProvider;
    faults?: AppOptions['faults'];
    now?: () => number;
    logStream?: Writable;
    before?: (server: FastifyInstance) => void;
  } = {},
): Promise<FastifyInstance> {
  const config = testConfig(overrides);
  const server = Fastify(serverOptions(config, logStream));
  before?.(server);
  await server.register(app, { config, payments, faults, now });
  await server.ready();
  return server;
}

export const uniqueEmail = (tag = 'user') => `${tag}-${randomUUID().slice(0, 12)}@example.test`;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

export async function signup(server: FastifyInstance, tag = 'customer'): Promise<TestUser> {
  const email = uniqueEmail(tag);
  const password = 'correct horse battery';
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email, password, name: tag },
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { id: body.user.id, email, password, token: body.token };
}

export async function createAdmin(server: FastifyInstance): Promise<TestUser> {
  const email = uniqueEmail('admin');
  const password = 'admin password 1';
  await ensureAdmin(server.domain, { email, password });
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
  const body = res.json();
  return { id: body.user.id, email, password, token: body.token };
}

export const bearer = (user: { token: string }) => ({ authorization: `Bearer ${user.token}` });

/** POST /me/password; its answer, for the caller to check. */
export function changePassword(
  server: FastifyInstance,
  user: TestUser,
  newPassword = 'another long password',
) {
  return server.inject({
    method: 'POST',
    url: '/api/v1/me/password',
    headers: bearer(user),
    payload: { currentPassword: user.password, newPassword },
  });
}

export function eventBody(overrides: Record<string, unknown> = {}) {
  return {
    title: `Concert ${randomUUID().slice(0, 8)}`,
    description: 'A test event',
    venue: 'Test Hall',
    startsAt: new Date(Date.now() + 30 * 86400_000).toISOString(),
    currency: 'EUR',
    layout: {
      sections: [
        { name: 'Floor', rows: 2, seatsPerRow: 5, priceCents: 5000 },
        { name: 'Balcony', rows: 1, seatsPerRow: 4, priceCents: 3000 },
      ],
    },
    ...overrides,
  };
}

export async function createEvent(
  server: FastifyInstance,
  admin: TestUser,
  overrides: Record<string, unknown> = {},
) {
  const res = await server.inject({
    method: 'POST',
    url: '/api/v1/admin/events',
    headers: bearer(admin),
    payload: eventBody(overrides),
  });
  if (res.statusCode !== 201) throw new Error(`create event failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string; seatCount: number; title: string };
}
