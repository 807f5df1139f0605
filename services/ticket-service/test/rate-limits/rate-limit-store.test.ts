// The rate-limit store (src/lib/rate-limit-store.ts): the counts asked during one
// turn of the event loop reach Redis as one socket write, each count keeps its
// own answer (the library's fixed window), and a Redis server that hangs fails
// each count on its own after the command timeout.
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnBatchedRedisStore } from '../../src/lib/rate-limit-store.ts';
import { type OwnRedisMasters, useOwnRedisMasters } from '../support/own-redis.ts';
import { writesDuring } from '../support/socket-writes.ts';

// A server of its own, because one of its tests pauses it.
const masters = useOwnRedisMasters(1, 'rate-store', { commandTimeoutMs: 300 });
let server: OwnRedisMasters['servers'][number];
let redis: Redis;
let app: FastifyInstance;

beforeAll(async () => {
  [server] = masters.servers as [typeof server];
  [redis] = masters.clients as [Redis];
  app = Fastify();
  await app.register(rateLimit, { global: false, store: turnBatchedRedisStore(redis, 'test:') });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

// What the library reads of a request: its route's config; the key is ours.
const requestFor = (subject: string) =>
  ({ subject, routeOptions: { config: {} } }) as unknown as FastifyRequest;
type Outcome = Awaited<ReturnType<ReturnType<FastifyInstance['createRateLimit']>>>;
/** A count's answer (no allow list here, so every answer is a count). */
const counted = (outcome: Outcome) => {
  if (outcome.isAllowed) throw new Error('not counted: allow-listed');
  return outcome;
};
const limiterOf = (max: number) => {
  const limit = app.createRateLimit({
    max,
    timeWindow: 60_000,
    keyGenerator: (request) => (request as unknown as { subject: string }).subject,
  });
  return async (request: FastifyRequest, options?: { increment: boolean }) =>
    counted(await limit(request, options));
};

describe('the turn-batched rate-limit store', () => {
  it('when 40 counts are asked in one turn, then they go in one write and each gets its own answer', async () => {
    const limit = limiterOf(25);
    const subject = randomUUID();
    const others = Array.from({ length: 10 }, () => randomUUID());
    const { writes, result } = await writesDuring(redis, () =>
      Promise.all([
        ...Array.from({ length: 30 }, () => limit(requestFor(subject))),
        ...others.map((o) => limit(requestFor(o))),
      ]),
    );
    expect(writes).toBe(1);
    const same = result.slice(0, 30);
    // Counted in the order asked: the first 25 within the limit, the next 5 beyond it.
    expect(same.map((o) => o.isExceeded)).toEqual([
      ...Array<boolean>(25).fill(false),
      ...Array<boolean>(5).fill(true),
    ]);
    expect(same.map((o) => o.remaining)).toEqual([
      ...Array.from({ length: 25 }, (_, i) => 24 - i),
      ...Array<number>(5).fill(0),
    ]);
    expect(result.slice(30).every((o) => !o.isExceeded)).toBe(true);
    // The library's keys and window: the counter and its expiry are in Redis.
    const key = `test:undefinedundefined-${subject}`;
    expect(await redis.get(key)).toBe('30');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('when a count is read without adding one, then it answers the window as it is', async () => {
    const limit = limiterOf(2);
    const subject = randomUUID();
    await limit(requestFor(subject));
    await limit(requestFor(subject));
    const peek = await limit(requestFor(subject), { increment: false });
    expect(peek.remaining).toBe(0);
    expect(peek.isExceeded).toBe(false);
    expect(await redis.get(`test:undefinedundefined-${subject}`)).toBe('2');
    const fresh = await limit(requestFor(randomUUID()), { increment: false });
    expect(fresh.remaining).toBe(2);
  });

  it('when Redis hangs, then every count of the turn fails on its own after the command timeout', async () => {
    const limit = limiterOf(5);
    // The client drops a connection silent for its socket timeout and connects
    // again, which cannot finish while the server is paused: the next ready.
    const reconnected = new Promise((resolve) => redis.once('ready', resolve));
    process.kill(server.pid, 'SIGSTOP');
    try {
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () => limit(requestFor(randomUUID()))),
      );
      expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('rejected'));
      for (const o of outcomes) expect(String((o as PromiseRejectedResult).reason)).toMatch(/timed out/i);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await reconnected;
    const after = await limit(requestFor(randomUUID()));
    expect(after.remaining).toBe(4);
  });
});
