// Redlock needs a majority of the three Redis masters: with one down purchases
// go on; with two down they are refused (503) and nothing is written.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '@tickets/infra/free-port';
import { startRedis } from '@tickets/infra/redis';
import { buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
let redis: Awaited<ReturnType<typeof startRedis>>[] = [];
let app: FastifyInstance;
let admin: TestUser;

beforeAll(async () => {
  // Servers of its own: this test stops them, and others must not notice.
  dir = await mkdtemp(join(tmpdir(), 'tickets-redis-faults-'));
  const ports = await freePorts(3);
  redis = await Promise.all(ports.map((port, i) => startRedis({ dir: join(dir, `r${i}`), port })));
  // A hold that already has the lock keeps it until its lease runs low, also
  // when masters go down (the lease was granted by a majority; the Postgres fence
  // still guards every write); here every purchase takes the lock anew.
  app = await buildTestApp({ redisUrls: redis.map((r) => r.url), replicaId: 'faults', lockLingerMs: 0 });
  admin = await createAdmin(app);
});

afterAll(async () => {
  await app?.close();
  await Promise.all(redis.map((r) => r.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('Redis faults', () => {
  it('when one master of three is down, then purchases continue; with two down they answer 503 and write nothing', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);

    await redis[2]?.stop();
    const withTwo = await buyNow(app, buyer, event.id, { quantity: 2 });
    expect(withTwo.statusCode).toBe(201);

    await redis[1]?.stop();
    const before = await seatsOf(app, event.id);
    const withOne = await buyNow(app, buyer, event.id, { quantity: 1 });
    expect(withOne.statusCode).toBe(503);
    expect(withOne.json().code).toBe('UNAVAILABLE');
    const after = await seatsOf(app, event.id);
    expect(after).toEqual(before);
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(1);
    expect(await app.db.hold.count({ where: { eventId: event.id } })).toBe(0);
    expect(await app.db.idempotencyRecord.count({ where: { userId: buyer.id } })).toBe(1);

    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
  });
});
