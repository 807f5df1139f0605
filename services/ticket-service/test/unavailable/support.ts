// The classifier (lib/unavailable.ts) on errors the drivers really throw: each one is
// provoked against the test PostgreSQL or an ioredis client, never built by hand, so
// that a change in how Prisma, adapter-pg, node-postgres or ioredis wrap their errors
// shows here first. A dependency failure is a 503; a bug stays a 500.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { testServices } from '@tickets/testkit/services';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { waitFor } from '../support/processes.ts';

export const APP = `classifier-${randomUUID().slice(0, 8)}`;
export const LIMITS = {
  statement_timeout: 1_500,
  lock_timeout: 300,
  idle_in_transaction_session_timeout: 400,
};

// Set by usePostgresClients before the file's tests run; importers see the current
// values through the live bindings.
export let admin: pg.Client;
export let pool: pg.Pool;
export let db: PrismaClient;

/** A session of its own (admin), and a small pool with short limits behind Prisma (db). */
export function usePostgresClients(): void {
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
}

/** The error `work` fails with (it must fail). */
export async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

/** Ends this test's sessions that match `state` (an SQL condition on pg_stat_activity). */
export async function terminate(state: string): Promise<void> {
  await waitFor('a session to terminate', async () => {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND ${state}`,
      [APP],
    );
    return (rowCount ?? 0) > 0;
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
