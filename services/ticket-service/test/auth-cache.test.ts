// Authentication serves the user row from each replica's cache; a change of
// password or role reaches every replica through the Redis feed. Two replicas
// share one Postgres and the Redis masters, as in production.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '@tickets/infra/free-port';
import { startRedis } from '@tickets/infra/redis';
import {
  bearer,
  buildTestApp,
  changePassword,
  createAdmin,
  signup,
  type TestUser,
  uniqueEmail,
} from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Long enough that only a notification can explain a refusal within the test.
const LONG_TTL_MS = 600_000;
const NEW_PASSWORD = 'another long password';

const orders = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/orders', headers: bearer({ token }) });
const adminEvents = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/admin/events', headers: bearer({ token }) });
// An authenticated route that reads no users itself (GET /orders does, for the order view).
const auditPage = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=1', headers: bearer({ token }) });

async function passwordChanged(app: FastifyInstance, user: TestUser) {
  expect((await changePassword(app, user, NEW_PASSWORD)).statusCode).toBe(204);
}

/** Polls for a status: the notification takes one pub/sub hop, not a fixed time. */
async function eventuallyStatus(request: () => Promise<{ statusCode: number }>, status: number) {
  const deadline = Date.now() + 2_000;
  let last = await request();
  while (last.statusCode !== status && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    last = await request();
  }
  expect(last.statusCode).toBe(status);
}

// Every statement reaches Postgres through pg's Client.query (pooled or in a
// transaction), whichever way the service issues it. Spied on before any app
// connects, so that wrappers bound per connection call the spy too.
const USERS_TABLE = /\b(from|join)\s+("public"\.)?"?users\b/i;
let statements: ReturnType<typeof spyOnStatements>;
const spyOnStatements = () => vi.spyOn(pg.Client.prototype, 'query');
beforeAll(() => {
  statements = spyOnStatements();
});
afterAll(() => {
  statements.mockRestore();
});

/** Counts the statements reading the users table from now on. */
function countUserReads() {
  const from = statements.mock.calls.length;
  return () =>
    statements.mock.calls.slice(from).filter(([query]) => {
      const text = typeof query === 'string' ? query : (query as { text?: string } | undefined)?.text;
      return typeof text === 'string' && USERS_TABLE.test(text);
    }).length;
}

describe('auth cache across replicas', () => {
  let a: FastifyInstance;
  let b: FastifyInstance;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      buildTestApp({ replicaId: 'auth-a', authCacheTtlMs: LONG_TTL_MS }),
      buildTestApp({ replicaId: 'auth-b', authCacheTtlMs: LONG_TTL_MS }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('when the same token comes again, then the users table is not read', async () => {
    const admin = await createAdmin(a);
    const customer = await signup(a);
    const userReads = countUserReads();
    expect((await auditPage(b, admin.token)).statusCode).toBe(200);
    expect((await auditPage(b, customer.token)).statusCode).toBe(403);
    expect(userReads()).toBe(2);
    expect((await auditPage(b, admin.token)).statusCode).toBe(200);
    expect((await auditPage(b, admin.token)).statusCode).toBe(200);
    expect((await auditPage(b, customer.token)).statusCode).toBe(403);
    expect(userReads()).toBe(2);
  });

  it('when the password changes on one replica, then another that had the token cached refuses it', async () => {
    const user = await signup(a);
    expect((await orders(b, user.token)).statusCode).toBe(200);
    expect((await orders(a, user.token)).statusCode).toBe(200);

    await passwordChanged(a, user);

    // At once where the change was made, one pub/sub hop later elsewhere.
    expect((await orders(a, user.token)).statusCode).toBe(401);
    await eventuallyStatus(() => orders(b, user.token), 401);
    const login = await b.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: NEW_PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    expect((await orders(b, login.json().token)).statusCode).toBe(200);
  });

  it('when a token is newer than the cached copy, then the row is read again and the token accepted', async () => {
    const user = await createAdmin(a);
    expect((await auditPage(b, user.token)).statusCode).toBe(200);
    // A change that no replica was told about, as if its notification were lost.
    await a.db.user.update({ where: { id: user.id }, data: { tokenVersion: { increment: 1 } } });
    const newer = a.issueToken({ id: user.id, tokenVersion: 1 });

    const userReads = countUserReads();
    expect((await auditPage(b, newer)).statusCode).toBe(200);
    expect(userReads()).toBe(1);
    expect((await auditPage(b, newer)).statusCode).toBe(200);
    expect(userReads()).toBe(1);
    // The copy read again is the new one: the older token no longer counts there.
    expect((await auditPage(b, user.token)).statusCode).toBe(401);
  });

  it('when a token is newer than the stored row too, then it is refused', async () => {
    const user = await signup(a);
    expect((await orders(b, user.token)).statusCode).toBe(200);
    const ahead = b.issueToken({ id: user.id, tokenVersion: 5 });
    expect((await orders(b, ahead)).statusCode).toBe(401);
    expect((await orders(b, user.token)).statusCode).toBe(200);
  });

  it('when an admin adds an admin on one replica, then the new admin is an admin on the other at once', async () => {
    const owner = await createAdmin(a);
    const email = uniqueEmail('added-admin');
    const created = await a.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: bearer(owner),
      payload: { email, password: 'admin password 2', name: 'Second', role: 'admin' },
    });
    expect(created.statusCode).toBe(201);
    const login = await a.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'admin password 2' },
    });
    expect((await adminEvents(b, login.json().token)).statusCode).toBe(200);
  });

  it('when a cached user is promoted or demoted and the change is published, then every replica follows', async () => {
    const user = await signup(a);
    expect((await adminEvents(b, user.token)).statusCode).toBe(403);
    expect((await adminEvents(a, user.token)).statusCode).toBe(403);

    // What a role-changing domain function does: write, commit, then tell the replicas.
    await a.db.user.update({ where: { id: user.id }, data: { role: 'admin' } });
    a.domain.userChanged(user.id);
    expect((await adminEvents(a, user.token)).statusCode).toBe(200);
    await eventuallyStatus(() => adminEvents(b, user.token), 200);

    await a.db.user.update({ where: { id: user.id }, data: { role: 'customer' } });
    a.domain.userChanged(user.id);
    expect((await adminEvents(a, user.token)).statusCode).toBe(403);
    await eventuallyStatus(() => adminEvents(b, user.token), 403);
  });

  it('when a notification is lost, then the copy is trusted no longer than the TTL', async () => {
    const c = await buildTestApp({ replicaId: 'auth-c', authCacheTtlMs: 300 });
    try {
      const user = await signup(a);
      expect((await orders(c, user.token)).statusCode).toBe(200);
      await a.db.user.update({ where: { id: user.id }, data: { tokenVersion: { increment: 1 } } });
      await eventuallyStatus(() => orders(c, user.token), 401);
    } finally {
      await c.close();
    }
  });
});

describe('auth cache when Redis masters fail', () => {
  let dir: string;
  let ports: number[];
  let redis: Awaited<ReturnType<typeof startRedis>>[] = [];
  let a: FastifyInstance;
  let b: FastifyInstance;

  beforeAll(async () => {
    // Servers of its own: this test stops them, and others must not notice.
    dir = await mkdtemp(join(tmpdir(), 'tickets-auth-cache-'));
    ports = await freePorts(3);
    redis = await Promise.all(ports.map((port, i) => startRedis({ dir: join(dir, `r${i}`), port })));
    const redisUrls = redis.map((r) => r.url);
    [a, b] = await Promise.all([
      buildTestApp({ replicaId: 'auth-fa', redisUrls, authCacheTtlMs: LONG_TTL_MS }),
      buildTestApp({ replicaId: 'auth-fb', redisUrls, authCacheTtlMs: LONG_TTL_MS }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all(redis.map((r) => r.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('when one master is down, then a password change still reaches the other replica; with all down, nothing is served from the cache', async () => {
    await redis[0]?.stop();
    const user = await signup(a);
    expect((await orders(b, user.token)).statusCode).toBe(200);
    await passwordChanged(a, user);
    await eventuallyStatus(() => orders(b, user.token), 401);

    await Promise.all(redis.map((r) => r.stop()));
    await vi.waitUntil(() => !b.userChanges.live(), { timeout: 2_000, interval: 20 });
    const other = await signup(a);
    expect((await orders(b, other.token)).statusCode).toBe(200);
    // No notification can arrive now, and none is needed: B reads the row.
    await a.db.user.update({ where: { id: other.id }, data: { tokenVersion: { increment: 1 } } });
    expect((await orders(b, other.token)).statusCode).toBe(401);
  });

  it('when a master comes back, then every copy is dropped and the cache serves again', async () => {
    const missed = vi.fn();
    b.userChanges.listen({ changed: () => {}, missed });
    const port = ports[0] as number;
    redis[0] = await startRedis({ dir: join(dir, 'r0'), port });
    await vi.waitUntil(() => missed.mock.calls.length > 0 && b.userChanges.live(), {
      timeout: 10_000,
      interval: 20,
    });

    const admin = await createAdmin(a);
    const userReads = countUserReads();
    expect((await auditPage(b, admin.token)).statusCode).toBe(200);
    expect((await auditPage(b, admin.token)).statusCode).toBe(200);
    expect(userReads()).toBe(1);
  });
});
