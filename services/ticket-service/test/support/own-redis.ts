// Redis masters of a test file's own, for tests that pause, stop or time out a
// server (which the run's shared masters must never be): started before the
// file's tests, each with a connected client, and stopped after them (resumed
// first, in case a test left one paused).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '@tickets/infra/free-port';
import { startRedis } from '@tickets/infra/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisClients } from '../../src/plugins/external/redis.ts';

export interface OwnRedisMasters {
  servers: Awaited<ReturnType<typeof startRedis>>[];
  clients: Redis[];
}

export function useOwnRedisMasters(
  count: number,
  tag: string,
  { commandTimeoutMs }: { commandTimeoutMs?: number } = {},
): OwnRedisMasters {
  const masters: OwnRedisMasters = { servers: [], clients: [] };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `tickets-${tag}-`));
    const ports = await freePorts(count);
    masters.servers = await Promise.all(
      ports.map((port, i) => startRedis({ dir: join(dir, `r${i}`), port })),
    );
    masters.clients = createRedisClients(
      masters.servers.map((s) => s.url),
      commandTimeoutMs,
    );
    // A paused or stopped server makes its client drop the connection: expected, not printed.
    for (const c of masters.clients) c.on('error', () => {});
    await Promise.all(
      masters.clients.map((c) => (c.status === 'ready' ? undefined : new Promise((r) => c.once('ready', r)))),
    );
  });
  afterAll(async () => {
    for (const s of masters.servers) {
      try {
        process.kill(s.pid, 'SIGCONT');
      } catch {}
    }
    for (const c of masters.clients) c.disconnect();
    await Promise.all(masters.servers.map((s) => s.stop()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return masters;
}
