// PostgreSQL failures, as Prisma and adapter-pg throw them, are 503.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { freePort } from '@tickets/infra/free-port';
import { testServices } from '@tickets/testkit/services';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { isUnavailable } from '../../src/lib/unavailable.ts';
import { toProblem } from '../../src/plugins/app/error-handler.ts';
import { APP, admin, db, failure, LIMITS, pool, sleep, terminate, usePostgresClients } from './support.ts';

usePostgresClients();

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
