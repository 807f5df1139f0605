// Every way the database fails a request is answered 503 UNAVAILABLE with
// Retry-After, never 500, against the real PostgreSQL: a session ended under a
// purchase (57P01), a row lock not granted in time (55P03), a pool with no free
// connection, a database that refuses connections. A purchase refused so can be
// retried with the same Idempotency-Key.
import { randomUUID } from 'node:crypto';
import { freePort } from '@tickets/infra/free-port';
import { buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import { testServices } from '@tickets/testkit/services';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/processes.ts';

const run = randomUUID().slice(0, 8);
let app: FastifyInstance;
let admin: TestUser;
let operator: pg.Client;

beforeAll(async () => {
  app = await buildTestApp({ replicaId: `dependency-failures-${run}` });
  admin = await createAdmin(app);
  operator = new pg.Client({ connectionString: testServices().databaseUrl });
  await operator.connect();
});

afterAll(async () => {
  await app?.close();
  await operator?.end();
});

function expectUnavailable(res: Awaited<ReturnType<typeof buyNow>>) {
  expect(res.statusCode, res.body).toBe(503);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json().code).toBe('UNAVAILABLE');
  expect(res.headers['retry-after']).toBe('1');
}

/** Another session that locks rows and keeps them until `release()`. */
async function lockRows(sql: string, params: unknown[]) {
  const client = new pg.Client({ connectionString: testServices().databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(sql, params);
  return {
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

describe('database failures under a request', () => {
  it('when the session of a purchase is terminated (57P01), then it is 503 and the retry with its key buys', async () => {
    // A lease of 10 s gives its statements a lock_timeout of 3.3 s: time to find
    // the waiting session and end it before it gives up by itself.
    const patient = await buildTestApp({ replicaId: `terminated-${run}`, lockTtlMs: 10_000 });
    try {
      const event = await createEvent(patient, admin);
      const buyer = await signup(patient);
      const seat = (await seatsOf(patient, event.id)).seats[0]?.id as string;
      const key = randomUUID();
      const rows = await lockRows('SELECT id FROM seats WHERE id = $1 FOR UPDATE', [seat]);
      try {
        const answer = buyNow(patient, buyer, event.id, { seatIds: [seat] }, key);
        // Its write waits for the seat's row; end that session as an operator or
        // a failover would (pg_terminate_backend: 57P01 admin_shutdown).
        await waitFor('the purchase to wait for the seat row, and its session to end', async () => {
          const { rowCount } = await operator.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [patient.config.replicaId],
          );
          return (rowCount ?? 0) > 0;
        });
        expectUnavailable(await answer);
      } finally {
        await rows.release();
      }
      const retry = await buyNow(patient, buyer, event.id, { seatIds: [seat] }, key);
      expect(retry.statusCode, retry.body).toBe(201);
    } finally {
      await patient.close();
    }
  });

  it('when a seat row stays locked past DB_LOCK_TIMEOUT_MS (55P03), then the purchase is 503 and buys once it is free', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const seat = (await seatsOf(app, event.id)).seats[0]?.id as string;
    const key = randomUUID();
    const rows = await lockRows('SELECT id FROM seats WHERE id = $1 FOR UPDATE', [seat]);
    let waited: number;
    try {
      const started = performance.now();
      expectUnavailable(await buyNow(app, buyer, event.id, { seatIds: [seat] }, key));
      waited = performance.now() - started;
    } finally {
      await rows.release();
    }
    // It gave up after its lock_timeout (a third of the lease), not after the lease.
    expect(waited).toBeGreaterThanOrEqual(app.config.dbLockTimeoutMs);
    expect(waited).toBeLessThan(app.config.lockTtlMs + 1_000);
    expect((await buyNow(app, buyer, event.id, { seatIds: [seat] }, key)).statusCode).toBe(201);
  });

  it('when the pool has no free connection for DB_CONNECT_TIMEOUT_MS, then reads and purchases are 503', async () => {
    const small = await buildTestApp({ replicaId: `pool-${run}`, dbPoolSize: 1, dbConnectTimeoutMs: 200 });
    try {
      const event = await createEvent(small, admin);
      const buyer = await signup(small);
      // The pool's one connection is busy with a statement of 3 s.
      const busy = small.db.$queryRaw`SELECT pg_sleep(3)::text`.then(() => undefined);
      await waitFor('the pool to be busy', async () => {
        const { rowCount } = await operator.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%pg_sleep%' AND state = 'active'`,
          [small.config.replicaId],
        );
        return (rowCount ?? 0) > 0;
      });
      const read = await small.inject({ method: 'GET', url: `/api/v1/events/${event.id}` });
      const purchase = await buyNow(small, buyer, event.id, { quantity: 1 });
      await busy;
      expectUnavailable(read);
      expectUnavailable(purchase);
      const later = await small.inject({ method: 'GET', url: `/api/v1/events/${event.id}` });
      expect(later.statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('when the database refuses connections, then purchases and holds are 503 with Retry-After', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const dead = await buildTestApp({
      replicaId: `dead-db-${run}`,
      databaseUrl: `postgresql://postgres@127.0.0.1:${await freePort()}/tickets`,
    });
    try {
      // The token is good (same secret); reading the buyer's row is what fails.
      expectUnavailable(await buyNow(dead, buyer, event.id, { quantity: 1 }));
      expectUnavailable(
        await dead.inject({
          method: 'POST',
          url: `/api/v1/events/${event.id}/holds`,
          headers: { authorization: `Bearer ${buyer.token}` },
          payload: { quantity: 1 },
        }),
      );
      expectUnavailable(await dead.inject({ method: 'GET', url: `/api/v1/events/${event.id}/seats` }));
    } finally {
      await dead.close();
    }
  });
});
