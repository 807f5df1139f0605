// Starts one Postgres (migrated) and three Redis servers for the whole test run, on free
// loopback ports under a temp dir, and stops them whatever way the run ends.

import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '@tickets/infra/free-port';
import { startPostgres } from '@tickets/infra/postgres';
import { startRedis } from '@tickets/infra/redis';
import type { TestProject } from 'vitest/node';
import { migrate } from './migrations.ts';
import { TEST_RATE_LIMIT_FACTOR } from './rate-limit-factor.ts';

const REDIS_COUNT = 3;

interface Stoppable {
  stop(): Promise<void>;
  stopSync(): void;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'tickets-test-'));
  // The postgres OS user (when we run as root) must be able to reach its data dir.
  await chmod(root, 0o755);
  const started: Stoppable[] = [];

  // Vitest exits 1 ms after SIGINT/SIGTERM, so those paths stop everything synchronously.
  const stopNow = () => {
    for (const service of [...started].reverse()) {
      try {
        service.stopSync();
      } catch {}
    }
    rmSync(root, { recursive: true, force: true });
  };
  const signals = ['SIGINT', 'SIGTERM'] as const;
  for (const signal of signals) process.once(signal, stopNow);
  process.once('exit', stopNow);

  const teardown = async () => {
    for (const signal of signals) process.off(signal, stopNow);
    process.off('exit', stopNow);
    const results = await Promise.allSettled([...started].reverse().map((service) => service.stop()));
    await rm(root, { recursive: true, force: true });
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  };

  try {
    const [postgresPort, ...redisPorts] = await freePorts(1 + REDIS_COUNT);
    const postgres = await startPostgres({
      dataDir: join(root, 'postgres'),
      port: postgresPort as number,
      fsync: false,
    });
    started.push(postgres);
    // allSettled, so that every server that did start is in `started` before a failure is thrown.
    const redis = await Promise.allSettled(
      redisPorts.map(async (port, i) => {
        const server = await startRedis({ dir: join(root, `redis-${i + 1}`), port });
        started.push(server);
        return server.url;
      }),
    );
    const redisUrls = redis.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    await migrate(postgres.url);

    project.provide('databaseUrl', postgres.url);
    project.provide('redisUrls', redisUrls);
    // Workers are forked after global setup and inherit this environment too.
    process.env.DATABASE_URL = postgres.url;
    process.env.REDIS_URLS = redisUrls.join(',');
    // So do the replicas and clusters the tests start (`cluster up` passes both on):
    // the run comes from one address, and tests use fixed, weak secrets. A test of
    // the limits or of the secret checks sets its own values.
    process.env.TICKETS_RATE_LIMIT_FACTOR = TEST_RATE_LIMIT_FACTOR;
    process.env.TICKETS_ALLOW_WEAK_SECRETS = '1';
  } catch (error) {
    await teardown().catch(() => stopNow());
    throw error;
  }
  return teardown;
}
