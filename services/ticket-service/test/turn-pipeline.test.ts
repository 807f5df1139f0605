// Commands of one event-loop turn go to Redis as one pipeline (src/lib/turn-pipeline.ts):
// one socket write, and each command keeps its own answer or error.
import { randomUUID } from 'node:crypto';
import { testConfig } from '@tickets/testkit/app';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTurnPipeline } from '../src/lib/turn-pipeline.ts';
import { createRedisClients } from '../src/plugins/external/redis.ts';
import { writesDuring } from './support/socket-writes.ts';

let redis: Redis;
beforeAll(async () => {
  [redis] = createRedisClients(testConfig().redisUrls.slice(0, 1)) as [Redis];
  await new Promise((r) => (redis.status === 'ready' ? r(undefined) : redis.once('ready', r)));
});
afterAll(() => redis?.disconnect());

describe('a turn pipeline', () => {
  it('when commands are sent in one turn, then they go in one write and each gets its own answer', async () => {
    const turn = createTurnPipeline(redis);
    const key = `test:turn:${randomUUID()}`;
    const { writes, result } = await writesDuring(redis, () =>
      Promise.all([
        turn.send('set', [key, 'a']),
        turn.send('append', [key, 'b']),
        turn.send('get', [key]),
        ...Array.from({ length: 20 }, () => turn.send('incr', [`${key}:n`])),
      ]),
    );
    expect(writes).toBe(1);
    expect(result.slice(0, 3)).toEqual(['OK', 2, 'ab']);
    expect(result.slice(3)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await redis.del(key, `${key}:n`);
  });

  it('when one command fails, then only its own promise is rejected', async () => {
    const turn = createTurnPipeline(redis);
    const key = `test:turn:${randomUUID()}`;
    const outcomes = await Promise.allSettled([
      turn.send('set', [key, 'not a number']),
      turn.send('incr', [key]),
      turn.send('get', [key]),
      turn.send('no-such-command', [key]),
      turn.send('strlen', [key]),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : String(o.reason)))).toEqual([
      'OK',
      expect.stringMatching(/not an integer/),
      'not a number',
      expect.stringMatching(/not a command of this client/),
      12,
    ]);
    await redis.del(key);
  });

  it('when a command is alone in its turn, then it goes as it is and gets its answer or error', async () => {
    const turn = createTurnPipeline(redis);
    const key = `test:turn:${randomUUID()}`;
    const pipelines = vi.spyOn(redis, 'pipeline');
    try {
      const { writes, result } = await writesDuring(redis, () => turn.send('incr', [key]));
      expect([writes, result]).toEqual([1, 1]);
      await redis.set(key, 'not a number');
      await expect(turn.send('incr', [key])).rejects.toThrow(/not an integer/);
      expect(pipelines).not.toHaveBeenCalled();
    } finally {
      pipelines.mockRestore();
      await redis.del(key);
    }
  });

  it('when the client cannot write, then every command of the turn fails at once', async () => {
    const [closed] = createRedisClients(['redis://127.0.0.1:9']) as [Redis];
    closed.on('error', () => {});
    try {
      const turn = createTurnPipeline(closed);
      const outcomes = await Promise.allSettled([turn.send('get', ['a']), turn.send('get', ['b'])]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    } finally {
      closed.disconnect();
    }
  });
});
