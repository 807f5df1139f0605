import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../lib/free-port.ts';
import { startPostgres } from '../lib/postgres.ts';
import { processAlive } from '../lib/process.ts';
import { redisCommand, startRedis } from '../lib/redis.ts';

let root: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tickets-infra-test-'));
  await chmod(root, 0o755);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await rm(root, { recursive: true, force: true });
});

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startPostgres', () => {
  test('when a second cluster starts on a free port, then it serves the tickets database over loopback', async () => {
    const port = await freePort();
    const postgres = await startPostgres({ dataDir: join(root, 'pg-serve'), port, fsync: false });
    cleanups.push(postgres.stop);

    expect(postgres.url).toBe(`postgresql://postgres@127.0.0.1:${port}/tickets`);
    const [row] = await query<{ db: string; listen: string; max: string }>(
      postgres.url,
      "SELECT current_database() AS db, current_setting('listen_addresses') AS listen, current_setting('max_connections') AS max",
    );
    expect(row).toEqual({ db: 'tickets', listen: '127.0.0.1', max: '200' });
    expect(processAlive(postgres.pid)).toBe(true);
  });

  test('when stopped, then its postmaster is gone and a second stop is harmless', async () => {
    const postgres = await startPostgres({
      dataDir: join(root, 'pg-stop'),
      port: await freePort(),
      fsync: false,
    });
    await postgres.stop();

    expect(processAlive(postgres.pid)).toBe(false);
    await expect(postgres.stop()).resolves.toBeUndefined();
  });

  test('when the port is taken, then start fails with the server log instead of hanging', async () => {
    const taken = await startPostgres({
      dataDir: join(root, 'pg-taken'),
      port: await freePort(),
      fsync: false,
    });
    cleanups.push(taken.stop);

    await expect(
      startPostgres({ dataDir: join(root, 'pg-clash'), port: taken.port, fsync: false }),
    ).rejects.toThrow(/did not start.*(in use|could not bind|could not create)/is);
  });

  test('when the same data directory is started again, then earlier tables and rows are still there', async () => {
    const dataDir = join(root, 'pg-restart');
    const first = await startPostgres({ dataDir, port: await freePort() });
    cleanups.push(first.stop);
    await query(first.url, 'CREATE TABLE kept (value TEXT); INSERT INTO kept VALUES ($$survives$$)');
    await first.stop();

    const second = await startPostgres({ dataDir, port: await freePort() });
    cleanups.push(second.stop);
    expect(await query(second.url, 'SELECT value FROM kept')).toEqual([{ value: 'survives' }]);
    await second.stop();
    expect(processAlive(second.pid)).toBe(false);
  });
});

describe('startRedis', () => {
  test('when a server starts on a free port, then it answers commands', async () => {
    const port = await freePort();
    const redis = await startRedis({ dir: join(root, 'redis-serve'), port });
    cleanups.push(redis.stop);

    expect(redis.url).toBe(`redis://127.0.0.1:${port}`);
    expect(await redisCommand(port, ['SET', 'greeting', 'hello'])).toBe('OK');
    expect(await redisCommand(port, ['GET', 'greeting'])).toBe('hello');
    expect(await redisCommand(port, ['GET', 'missing'])).toBeNull();
  });

  test('when stopped, then its process is gone and a second stop is harmless', async () => {
    const redis = await startRedis({ dir: join(root, 'redis-stop'), port: await freePort() });
    await redis.stop();

    expect(processAlive(redis.pid)).toBe(false);
    await expect(redis.stop()).resolves.toBeUndefined();
  });

  test('when append-only and restarted on the same directory, then earlier keys are still there', async () => {
    const dir = join(root, 'redis-restart');
    const first = await startRedis({ dir, port: await freePort(), appendOnly: true });
    cleanups.push(first.stop);
    await redisCommand(first.port, ['SET', 'kept', 'survives']);
    await first.stop();

    const second = await startRedis({ dir, port: await freePort(), appendOnly: true });
    cleanups.push(second.stop);
    expect(await redisCommand(second.port, ['GET', 'kept'])).toBe('survives');
  });

  test('when the port is taken, then start fails with the reason instead of hanging', async () => {
    const taken = await startRedis({ dir: join(root, 'redis-taken'), port: await freePort() });
    cleanups.push(taken.stop);

    await expect(startRedis({ dir: join(root, 'redis-clash'), port: taken.port })).rejects.toThrow(
      /did not start.*\n.*(in use|bind)/is,
    );
  });
});
