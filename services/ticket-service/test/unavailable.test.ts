// The classifier (lib/unavailable.ts) on errors the drivers really throw: each
// one is provoked against the test PostgreSQL or an ioredis client, never built
// by hand, so that a change in how Prisma, adapter-pg, node-postgres or ioredis
// wrap their errors shows here first. A dependency failure is a 503; a bug stays
// a 500.
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { PrismaPg } from '@prisma/adapter-pg';
import { freePort } from '@tickets/infra/free-port';
import { testServices } from '@tickets/testkit/services';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { DeadlineError, withDeadline } from '../src/lib/deadline.ts';
import { LockUnavailableError } from '../src/lib/event-lock.ts';
import { isUnavailable } from '../src/lib/unavailable.ts';
import { toProblem } from '../src/plugins/app/error-handler.ts';
import { waitFor } from './support/processes.ts';

const APP = `classifier-${randomUUID().slice(0, 8)}`;
const LIMITS = { statement_timeout: 1_500, lock_timeout: 300, idle_in_transaction_session_timeout: 400 };

let admin: pg.Client;
let pool: pg.Pool;
let db: PrismaClient;

beforeAll(async () => {
  const { databaseUrl } = testServices();
  admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    connectionTimeoutMillis: 200,
    application_name: APP,
    ...LIMITS,
  });
  // Sessions this test has the server end must not crash it while idle in the pool.
  pool.on('error', () => {});
  db = new PrismaClient({ adapter: new PrismaPg(pool) });
});

afterAll(async () => {
  await db?.$disconnect();
  await pool?.end();
  await admin?.end();
});

/** The error `work` fails with (it must fail). */
async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/** Ends this test's sessions that match `state` (an SQL condition on pg_stat_activity). */
async function terminate(state: string): Promise<void> {
  await waitFor('a session to terminate', async () => {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND ${state}`,
      [APP],
    );
    return (rowCount ?? 0) > 0;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL failures through Prisma and adapter-pg are 503', () => {
  it('57014 statement_timeout (P2010, the code in meta.driverAdapterError.cause)', async () => {
    const err = await failure(() => db.$queryRaw`SELECT pg_sleep(5)::text`);
    expect(err).toMatchObject({ code: 'P2010' });
    expect(JSON.stringify((err as { meta: unknown }).meta)).toContain('57014');
    expect(isUnavailable(err)).toBe(true);
  });

  it('55P03 lock_timeout, from a raw statement (P2010) and from a model query (P2039)', async () => {
    const user = await db.user.create({
      data: { email: `${APP}-${randomUUID()}@example.test`, passwordHash: 'x', name: 'x' },
    });
    await admin.query('BEGIN');
    try {
      await admin.query('SELECT id FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      const raw = await failure(
        () => db.$executeRaw`UPDATE users SET name = 'y' WHERE id = ${user.id}::uuid`,
      );
      const model = await failure(() => db.user.update({ where: { id: user.id }, data: { name: 'y' } }));
      expect(raw).toMatchObject({ code: 'P2010' });
      expect(model).toMatchObject({ code: 'P2039' });
      for (const err of [raw, model]) {
        expect(JSON.stringify((err as { meta: unknown }).meta)).toContain('55P03');
        expect(isUnavailable(err)).toBe(true);
      }
    } finally {
      await admin.query('ROLLBACK');
    }
  });

  it('57P01 from pg_terminate_backend while a statement runs', async () => {
    const running = failure(() => db.$queryRaw`SELECT pg_sleep(5)::text`);
    await terminate(`state = 'active' AND query LIKE '%pg_sleep%'`);
    const err = await running;
    expect(JSON.stringify((err as { meta: unknown }).meta)).toContain('57P01');
    expect(isUnavailable(err)).toBe(true);
  });

  it('a session ended between two statements of a transaction (no code: "not queryable")', async () => {
    const err = await failure(() =>
      db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        await terminate(`state LIKE 'idle in transaction%'`);
        await sleep(100);
        await tx.$queryRaw`SELECT 2`;
      }),
    );
    expect(String((err as Error).message)).toContain('not queryable');
    expect((err as { code?: unknown }).code).toBeUndefined();
    expect(isUnavailable(err)).toBe(true);
  });

  it('25P03 idle_in_transaction_session_timeout: the session error and the next statement', async () => {
    const client = new pg.Client({ connectionString: testServices().databaseUrl, ...LIMITS });
    // The server's 25P03 comes first, then the connection's end: both as events.
    const ended = new Promise<unknown>((resolve) => client.on('error', resolve));
    await client.connect();
    await client.query('BEGIN');
    const sessionError = await ended;
    const next = await failure(() => client.query('SELECT 1'));
    await client.end().catch(() => {});
    expect(sessionError).toMatchObject({ code: '25P03' });
    expect(isUnavailable(sessionError)).toBe(true);
    expect(isUnavailable(next)).toBe(true);

    const inPrisma = await failure(() =>
      db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        await sleep(LIMITS.idle_in_transaction_session_timeout + 300);
        await tx.$queryRaw`SELECT 2`;
      }),
    );
    expect(isUnavailable(inPrisma)).toBe(true);
  });

  it('no free connection in the pool: "timeout exceeded when trying to connect", P2028 at maxWait', async () => {
    const held = [await pool.connect(), await pool.connect()];
    try {
      const query = await failure(() => db.$queryRaw`SELECT 1`);
      const model = await failure(() => db.user.findFirst());
      const transaction = await failure(() => db.$transaction(async (tx) => tx.$queryRaw`SELECT 1`));
      const maxWait = await failure(() =>
        db.$transaction(async (tx) => tx.$queryRaw`SELECT 1`, { maxWait: 50 }),
      );
      for (const err of [query, model, transaction]) {
        expect(String((err as Error).message)).toContain('timeout exceeded when trying to connect');
        expect(isUnavailable(err)).toBe(true);
      }
      expect(maxWait).toMatchObject({ code: 'P2028' });
      expect(isUnavailable(maxWait)).toBe(true);
    } finally {
      for (const client of held) client.release();
    }
  });

  it('a database that refuses connections (P2010 raw, P1001 model, in a transaction)', async () => {
    const deadPool = new pg.Pool({
      connectionString: `postgresql://postgres@127.0.0.1:${await freePort()}/tickets`,
      connectionTimeoutMillis: 500,
    });
    const dead = new PrismaClient({ adapter: new PrismaPg(deadPool) });
    try {
      const raw = await failure(() => dead.$queryRaw`SELECT 1`);
      const model = await failure(() => dead.user.findFirst());
      const transaction = await failure(() => dead.$transaction(async (tx) => tx.$queryRaw`SELECT 1`));
      expect(raw).toMatchObject({ code: 'P2010' });
      expect(model).toMatchObject({ code: 'P1001' });
      for (const err of [raw, model, transaction]) expect(isUnavailable(err)).toBe(true);
    } finally {
      await dead.$disconnect();
      await deadPool.end();
    }
  });

  it('however deep the wrapping, and as a 503 problem', async () => {
    const err = await failure(() => db.$queryRaw`SELECT pg_sleep(5)::text`);
    const wrapped = new Error('outer', { cause: new AggregateError([new Error('other'), err]) });
    expect(isUnavailable(wrapped)).toBe(true);
    expect(toProblem(err as Error)).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  });
});

describe('bugs are not 503', () => {
  it('a syntax error, a division by zero, a unique violation, a missing record, our own assertion', async () => {
    const email = `${APP}-${randomUUID()}@example.test`;
    await db.user.create({ data: { email, passwordHash: 'x', name: 'x' } });
    const bugs = [
      await failure(() => db.$queryRawUnsafe('SELEC 1')),
      await failure(() => db.$queryRaw`SELECT (1 / 0)::text`),
      await failure(() => db.user.create({ data: { email, passwordHash: 'x', name: 'x' } })),
      await failure(() => db.user.update({ where: { id: randomUUID() }, data: { name: 'y' } })),
      await failure(() => db.$queryRaw`SELECT tickets_assert(false, 'decided seats changed')::text`),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new Error('boom'),
    ];
    for (const err of bugs) {
      expect(isUnavailable(err), String((err as Error).message)).toBe(false);
      expect(toProblem(err as Error)).toMatchObject({ status: 500, code: 'INTERNAL' });
    }
  });
});

describe('Redis failures through ioredis are 503', () => {
  let silent: Server;
  let silentPort: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers: a hung master, as a client sees it.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    silentPort = await freePort();
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('"Command timed out" from a node that never answers', async () => {
    const client = new Redis({ port: silentPort, enableReadyCheck: false, commandTimeout: 100 });
    client.on('error', () => {});
    try {
      const err = await failure(() => client.get('key'));
      expect(String((err as Error).message)).toBe('Command timed out');
      expect(isUnavailable(err)).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('MaxRetriesPerRequestError from a node that is down, and a refused offline command', async () => {
    const port = await freePort();
    const retrying = new Redis({ port, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    const offline = new Redis({ port, enableOfflineQueue: false, retryStrategy: () => 50 });
    for (const c of [retrying, offline]) c.on('error', () => {});
    try {
      const gaveUp = await failure(() => retrying.get('key'));
      expect((gaveUp as Error).name).toBe('MaxRetriesPerRequestError');
      expect(isUnavailable(gaveUp)).toBe(true);
      const refused = await failure(() => offline.get('key'));
      expect(String((refused as Error).message)).toContain("Stream isn't writeable");
      expect(isUnavailable(refused)).toBe(true);
    } finally {
      retrying.disconnect();
      offline.disconnect();
    }
  });
});

describe('our own bounded waits are 503', () => {
  it('a deadline that passed and a lock that could not be taken', async () => {
    const late = await failure(() => withDeadline(new Promise(() => {}), 10, 'a wait'));
    expect(late).toBeInstanceOf(DeadlineError);
    expect(isUnavailable(late)).toBe(true);
    expect(isUnavailable(new LockUnavailableError('busy'))).toBe(true);
  });
});
