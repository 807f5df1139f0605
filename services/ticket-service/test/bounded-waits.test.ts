// Waits on a dependency that hangs are bounded: a replica paused inside its
// transaction stalls its event for at most about a lease (the database ends its
// session), a hung Redis master costs purchases little, and a hold whose release
// is stuck does not stop the sweeper from expiring the others.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '@tickets/infra/free-port';
import { startRedis } from '@tickets/infra/redis';
import { buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, hold, seatsOf } from '@tickets/testkit/purchase';
import { testServices } from '@tickets/testkit/services';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventLockKey } from '../src/event-lock/redlock.ts';
import { sessionLimits } from '../src/plugins/external/prisma.ts';
import { ownDatabase } from './support/databases.ts';
import { waitFor } from './support/processes.ts';

const run = randomUUID().slice(0, 8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a replica paused inside its transaction', () => {
  let a: FastifyInstance;
  let b: FastifyInstance;
  let admin: TestUser;
  beforeAll(async () => {
    // The default lease (3 s) and the session limits that follow from it.
    a = await buildTestApp({ replicaId: `paused-a-${run}` });
    b = await buildTestApp({ replicaId: `paused-b-${run}` });
    admin = await createAdmin(a);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('when a session holds the event row idle in its transaction, then purchases are 503 at once and the event sells again within a lease + 1 s', async () => {
    const lease = a.config.lockTtlMs;
    const event = await createEvent(a, admin);
    const buyer = await signup(a);
    // Stands in for a paused replica: a session with the service's limits that
    // took the event row (as a fence does) and then went silent.
    const paused = new pg.Client({
      connectionString: testServices().databaseUrl,
      ...sessionLimits(a.config),
    });
    const ended: unknown[] = [];
    paused.on('error', (err) => ended.push(err));
    await paused.connect();
    try {
      await paused.query('BEGIN');
      await paused.query('SELECT id FROM events WHERE id = $1 FOR UPDATE', [event.id]);
      const since = performance.now();

      const first = await buyNow(a, buyer, event.id, { quantity: 1 });
      const firstAfter = performance.now() - since;
      expect(first.statusCode, first.body).toBe(503);
      expect(first.json().code).toBe('UNAVAILABLE');
      expect(first.headers['retry-after']).toBe('1');
      // Refused after its lock_timeout, well before the pause ends.
      expect(firstAfter).toBeLessThan(lease);

      let sold: number | undefined;
      while (sold === undefined && performance.now() - since < 4 * lease) {
        const res = await buyNow(a, buyer, event.id, { quantity: 1 });
        if (res.statusCode === 201) sold = performance.now() - since;
        else expect(res.json().code, res.body).toBe('UNAVAILABLE');
      }
      expect(sold).toBeDefined();
      expect(sold).toBeLessThan(lease + 1_000);
      // The server ended the silent session (idle_in_transaction_session_timeout).
      expect(ended[0]).toMatchObject({ code: '25P03' });
    } finally {
      await paused.end().catch(() => {});
    }
  });

  it('when the lock holder pauses inside its fenced transaction, then its session ends, it writes nothing and answers 503, and another replica takes the seat', async () => {
    const lease = a.config.lockTtlMs;
    const event = await createEvent(a, admin);
    const [slow, fast] = [await signup(a), await signup(a)];
    const seat = (await seatsOf(a, event.id)).seats[0]?.id as string;
    let pausedAt: number | undefined;
    a.faults.inTransaction = async () => {
      a.faults.inTransaction = undefined;
      pausedAt = performance.now();
      // Silent for longer than idle_in_transaction_session_timeout (the lease).
      await sleep(a.config.dbIdleInTransactionTimeoutMs + 1_000);
    };
    try {
      const stale = hold(a, slow, event.id, { seatIds: [seat] });
      await waitFor('the holder to pause', async () => pausedAt !== undefined);
      let taken: { at: number; holdId: string } | undefined;
      while (!taken && performance.now() - (pausedAt as number) < 4 * lease) {
        const res = await hold(b, fast, event.id, { seatIds: [seat] });
        const at = performance.now() - (pausedAt as number);
        if (res.statusCode === 201) taken = { at, holdId: res.json().id };
        else expect(res.json().code, res.body).toBe('UNAVAILABLE');
      }
      const staleAnswer = await stale;

      expect(staleAnswer.statusCode, staleAnswer.body).toBe(503);
      expect(staleAnswer.json().code).toBe('UNAVAILABLE');
      expect(taken).toBeDefined();
      expect(taken?.at).toBeLessThan(lease + 1_000);
      const row = await a.db.seat.findUniqueOrThrow({ where: { id: seat } });
      expect(row.holdId).toBe(taken?.holdId);
      expect(await a.db.hold.count({ where: { eventId: event.id, userId: slow.id } })).toBe(0);
    } finally {
      a.faults.inTransaction = undefined;
    }
  });
});

describe('a Redis master that hangs', () => {
  let dir: string;
  let servers: Awaited<ReturnType<typeof startRedis>>[] = [];
  let a: FastifyInstance;
  let b: FastifyInstance;
  let admin: TestUser;
  beforeAll(async () => {
    // Servers of its own: one is paused, and other test files must not notice.
    dir = await mkdtemp(join(tmpdir(), 'tickets-bounded-waits-'));
    const ports = await freePorts(3);
    servers = await Promise.all(ports.map((port, i) => startRedis({ dir: join(dir, `r${i}`), port })));
    const redisUrls = servers.map((s) => s.url);
    a = await buildTestApp({ replicaId: `hung-a-${run}`, redisUrls });
    b = await buildTestApp({ replicaId: `hung-b-${run}`, redisUrls });
    admin = await createAdmin(a);
  });
  afterAll(async () => {
    for (const s of servers) {
      try {
        process.kill(s.pid, 'SIGCONT');
      } catch {}
    }
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('when one master stops answering (SIGSTOP) and the vote is split, then purchases on two replicas of one event still succeed, each within 2 s', async () => {
    const event = await createEvent(a, admin, {
      layout: { sections: [{ name: 'Floor', rows: 4, seatsPerRow: 10, priceCents: 5000 }] },
    });
    const buyers = await Promise.all(Array.from({ length: 8 }, () => signup(a)));
    const hung = servers[0]?.pid as number;
    process.kill(hung, 'SIGSTOP');
    try {
      // A key left on one healthy master (another replica's attempt that failed):
      // the first acquisitions get one vote for, one against and none from the
      // hung master, so only a deadline decides them.
      await a.redis[1]?.set(eventLockKey(event.id), 'another-replica', 'PX', 300);
      for (let round = 0; round < 2; round++) {
        const answers = await Promise.all(
          buyers.map(async (buyer, i) => {
            const started = performance.now();
            const res = await buyNow(i % 2 ? a : b, buyer, event.id, { quantity: 1 });
            return { status: res.statusCode, body: res.body, ms: performance.now() - started };
          }),
        );
        for (const answer of answers) {
          expect(answer.status, answer.body).toBe(201);
          expect(answer.ms).toBeLessThan(2_000);
        }
      }
    } finally {
      process.kill(hung, 'SIGCONT');
    }
    expect((await seatsOf(a, event.id)).seats.filter((s) => s.status === 'sold')).toHaveLength(16);
  });
});

describe('the hold sweeper', () => {
  let db: Awaited<ReturnType<typeof ownDatabase>>;
  let app: FastifyInstance;
  let admin: TestUser;
  let unstick = () => {};
  beforeAll(async () => {
    // A database of its own: this sweeper expires every due hold it finds, and
    // other test files' holds are not its to expire.
    db = await ownDatabase('sweeper');
    app = await buildTestApp({
      replicaId: `sweeper-${run}`,
      databaseUrl: db.url,
      holdTtlSeconds: 1,
      holdSweepIntervalMs: 100,
      // A hold's deadline is LOCK_QUEUE_WAIT_MS + LOCK_TTL_MS: 1.5 s here.
      lockQueueWaitMs: 500,
      lockTtlMs: 1_000,
    });
    admin = await createAdmin(app);
  });
  afterAll(async () => {
    unstick();
    await app?.close();
    await db?.drop();
  });

  it('when one expiry is stuck, then holds that fall due later are still expired', async () => {
    const stuckEvent = await createEvent(app, admin);
    const otherEvent = await createEvent(app, admin);
    const buyer = await signup(app);
    const stuckHold = (await hold(app, buyer, stuckEvent.id, { quantity: 1 })).json();
    // From now on, work under the lock of `stuckEvent` never finishes (as if its
    // holder hung where no timeout reaches).
    let reached = false;
    const never = new Promise<void>((resolve) => {
      unstick = resolve;
    });
    app.faults.inCriticalSection = async (eventId) => {
      if (eventId !== stuckEvent.id) return;
      reached = true;
      await never;
    };
    await waitFor('the sweeper to get stuck on the first hold', async () => reached, 10_000);

    // Falls due while that sweep is stuck.
    const later = (await hold(app, buyer, otherEvent.id, { quantity: 2 })).json();
    await waitFor(
      'the later hold to expire',
      async () => (await app.db.hold.findUniqueOrThrow({ where: { id: later.id } })).status === 'expired',
      15_000,
    );
    expect((await seatsOf(app, otherEvent.id)).seats.every((s) => s.status === 'available')).toBe(true);
    expect((await app.db.hold.findUniqueOrThrow({ where: { id: stuckHold.id } })).status).toBe('active');
  }, 30_000);
});
