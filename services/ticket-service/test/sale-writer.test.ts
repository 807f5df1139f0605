// Rounds of different events that are ready while this replica's previous call
// is on its way share one call (domain/purchase/sale-writer.ts), and each round
// keeps its own outcome in it.
import { buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let app: FastifyInstance;
let admin: TestUser;

beforeAll(async () => {
  app = await buildTestApp({
    replicaId: 'sale-writer',
    holdSweepIntervalMs: 3_600_000,
    seatViewMaxAgeMs: 3_600_000,
    // Leases and row-lock waits that outlast any pause of a loaded test machine.
    lockTtlMs: 30_000,
    lockHoldMaxMs: 60_000,
    lockLingerMs: 60_000,
  });
  admin = await createAdmin(app);
});
afterAll(async () => {
  await app?.close();
});

const hall = { layout: { sections: [{ name: 'Stalls', rows: 2, seatsPerRow: 10, priceCents: 2500 }] } };

async function until(check: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 2_000 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
  expect(await check()).toBe(true);
}

async function calls() {
  const metric = (await app.metrics.saleCallRounds.get()).values;
  const of = (name: string) => metric.find((v) => v.metricName === name)?.value ?? 0;
  return { calls: of('tickets_sale_call_rounds_count'), rounds: of('tickets_sale_call_rounds_sum') };
}

/** Lets every round of `server` reach its write only when `open()` is called: then all at once. */
function holdRounds(server: FastifyInstance) {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let entered = 0;
  server.faults.inCriticalSection = async () => {
    entered++;
    await opened;
  };
  return {
    entered: () => entered,
    open() {
      server.faults.inCriticalSection = undefined;
      open();
    },
  };
}

/** Holds event `eventId`'s row in a transaction of its own until `release()`. */
async function lockRow(eventId: string, server: FastifyInstance = app) {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked: () => void = () => {};
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const tx = server.db.$transaction(
    async (t) => {
      await t.$queryRaw`SELECT id FROM events WHERE id = ${eventId}::uuid FOR UPDATE`;
      locked();
      await released;
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
  await isLocked;
  return { release, done: tx };
}

describe('rounds of several events in one call', () => {
  it('when rounds of three events wait behind a call on its way, then they go in one call and each keeps its own outcome', async () => {
    const events = await Promise.all([0, 1, 2, 3].map(() => createEvent(app, admin, hall)));
    const seats = await Promise.all(
      events.map(async (e) => (await seatsOf(app, e.id)).seats.map((s) => s.id)),
    );
    const buyers = await Promise.all(events.map(() => signup(app)));
    const [a, b, c, closed] = events.map((e) => e.id) as [string, string, string, string];
    // Warm: each event's seat view loaded and its lock held (lingering).
    for (const [i, e] of events.entries()) {
      const res = await buyNow(app, buyers[i] as TestUser, e.id, { seatIds: [seats[i]?.[0]] });
      expect(res.statusCode).toBe(201);
    }
    // Sales of the fourth event close behind this replica's back: its round is
    // decided from the view and refused by the write (conflict 'closed').
    await app.db.event.update({ where: { id: closed }, data: { status: 'closed' } });

    // A's round waits for A's row inside its call...
    const row = await lockRow(a);
    const before = await calls();
    const first = buyNow(app, buyers[0] as TestUser, a, { seatIds: [seats[0]?.[1]] });
    await until(async () => {
      const waiting = await app.db.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM pg_stat_activity
         WHERE wait_event_type = 'Lock' AND query LIKE '%tickets_sell_rounds%'`;
      return Number(waiting[0]?.n) === 1;
    });
    // ...while the rounds of B, C and the closed event become ready and wait for it.
    const others = [b, c, closed].map((id, k) =>
      buyNow(app, buyers[k + 1] as TestUser, id, { seatIds: [seats[k + 1]?.[1]] }),
    );
    await until(() => app.purchase.saleWriter.queued() === 3);
    row.release();
    await row.done;
    const answers = await Promise.all([first, ...others]);
    const after = await calls();

    expect(answers.map((r) => r.statusCode)).toEqual([201, 201, 201, 409]);
    expect(answers[3]?.json().detail).toMatch(/closed/);
    // A's call, then one call for the three rounds that waited.
    expect(after.calls - before.calls).toBe(2);
    expect(after.rounds - before.rounds).toBe(4);
    // The refused round wrote nothing; the others are whole.
    const sold = await Promise.all(events.map((e) => app.db.ticket.count({ where: { eventId: e.id } })));
    expect(sold).toEqual([2, 2, 2, 1]);
    const keys = await app.db.idempotencyRecord.count({ where: { userId: buyers[3]?.id } });
    expect(keys).toBe(1);
  });

  it('when a round finds its event row locked past lock_timeout, then only its buyer hears 503 and the other rounds of the call are written', async () => {
    const quick = await buildTestApp({
      replicaId: 'sale-writer-quick',
      holdSweepIntervalMs: 3_600_000,
      seatViewMaxAgeMs: 3_600_000,
      lockTtlMs: 30_000,
      lockHoldMaxMs: 60_000,
      lockLingerMs: 60_000,
      dbLockTimeoutMs: 300,
    });
    try {
      const quickAdmin = await createAdmin(quick);
      const events = await Promise.all([0, 1].map(() => createEvent(quick, quickAdmin, hall)));
      const seats = await Promise.all(
        events.map(async (e) => (await seatsOf(quick, e.id)).seats.map((s) => s.id)),
      );
      const buyers = await Promise.all(events.map(() => signup(quick)));
      for (const [i, e] of events.entries()) {
        expect(
          (await buyNow(quick, buyers[i] as TestUser, e.id, { seatIds: [seats[i]?.[0]] })).statusCode,
        ).toBe(201);
      }
      const [stuck, free] = events.map((e) => e.id) as [string, string];
      // The stuck event's row is held by another session (as a paused holder's
      // transaction would hold it); both rounds are queued together.
      const row = await lockRow(stuck, quick);
      const rounds = holdRounds(quick);
      const answers = Promise.all([
        buyNow(quick, buyers[0] as TestUser, stuck, { seatIds: [seats[0]?.[1]] }),
        buyNow(quick, buyers[1] as TestUser, free, { seatIds: [seats[1]?.[1]] }),
      ]);
      await until(() => rounds.entered() === 2);
      const before = (await quick.metrics.saleCallRounds.get()).values;
      // Both rounds reach their write in the same turn: one call.
      rounds.open();
      const [refused, bought] = await answers;
      row.release();
      await row.done;
      expect(refused?.statusCode).toBe(503);
      expect(refused?.headers['retry-after']).toBeDefined();
      expect(bought?.statusCode).toBe(201);
      const after = (await quick.metrics.saleCallRounds.get()).values;
      const count = (v: typeof after) =>
        v.find((x) => x.metricName === 'tickets_sale_call_rounds_count')?.value ?? 0;
      const sum = (v: typeof after) =>
        v.find((x) => x.metricName === 'tickets_sale_call_rounds_sum')?.value ?? 0;
      expect(count(after) - count(before)).toBe(1);
      expect(sum(after) - sum(before)).toBe(2);
      expect(await quick.db.ticket.count({ where: { eventId: stuck } })).toBe(1);
      expect(await quick.db.ticket.count({ where: { eventId: free } })).toBe(2);
      // Nothing of the refused round stays: its buyer may retry with the same key.
      expect(await quick.db.idempotencyRecord.count({ where: { userId: buyers[0]?.id } })).toBe(1);
    } finally {
      await quick.close();
    }
  });
});
