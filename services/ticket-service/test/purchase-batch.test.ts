// Group commit under the event lock: what a purchase costs (statements and Redis
// commands, counted by the service's own metrics), that a batch of N costs what a
// batch of one costs, that buyers of one batch get their own answers, and that an
// event's queue refuses at once when it is full or a request waited too long.
import { randomUUID } from 'node:crypto';
import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, GOOD_CARD, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// One batch of one-step purchases, when the replica's seat view has seen every
// change up to the holder's version (the usual case): one fenced write of every
// row (seats, orders, tickets, keys, operation log). When it has not, one read
// (event, named seats, best-N window) comes first.
const BATCH_STATEMENTS = 1;
const BATCH_WITH_READ = 2;
// Outside the lock, per purchase: nothing (the Idempotency-Key is stored with the
// order, in the round's statement). Per lock hold: nothing either (its first
// write takes the fencing epoch in the same statement).
const PER_PURCHASE = 0;
const PER_HOLD = 0;
// After the answers, outside the lock: one UPDATE records as captured every
// order of the replica whose capture finished within CAPTURE_MARK_DELAY_MS of
// the first (a batch's buyers, and the batches of those 100 ms, share it).
const CAPTURE_MARKS = 1;
// Taking an event's lock: SET NX on three masters. A hold then lingers with the
// lock (this app's linger outlasts each test), so a replica's next purchases of
// the event take nothing; the release (three more, and the release hint on three
// when another replica asked for the lock) comes when the linger ends.
// Per batch: the seat change (PUBLISH) on one master (every replica listens on all).
const REDIS_TO_TAKE_LOCK = 3;
const REDIS_PER_BATCH = 1;
// Per order request, before anything else: the per-user order rate limit,
// counted on the first master (plugins/app/rate-limits.ts).
const REDIS_PER_REQUEST = 1;

let app: FastifyInstance;
let admin: TestUser;

beforeAll(async () => {
  app = await buildTestApp({
    replicaId: 'batch',
    // Nothing runs in the background while statements are counted, and a lock
    // hold outlasts any pause of a loaded test machine.
    holdSweepIntervalMs: 3_600_000,
    seatViewMaxAgeMs: 3_600_000,
    lockTtlMs: 30_000,
    lockHoldMaxMs: 60_000,
    lockLingerMs: 60_000,
  });
  admin = await createAdmin(app);
});
afterEach(() => {
  app.faults.inCriticalSection = undefined;
});
afterAll(async () => {
  await app?.close();
});

async function counts() {
  const db = (await app.metrics.dbStatements.get()).values[0]?.value ?? 0;
  const redis = (await app.metrics.redisCommands.get()).values[0]?.value ?? 0;
  return { db, redis };
}

/** The counts once nothing more is sent (a lock release follows the answers). */
async function settledCounts() {
  let last = await counts();
  // 300 ms of quiet: longer than a capture mark waits for company (100 ms).
  for (let quiet = 0; quiet < 15; ) {
    await new Promise((r) => setTimeout(r, 20));
    const now = await counts();
    quiet = now.db === last.db && now.redis === last.redis ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

async function until(check: () => boolean) {
  for (let i = 0; i < 2_000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

/** Holds the next lock hold inside its critical section until `open()` is called. */
function gate(server: FastifyInstance = app) {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let entered = false;
  server.faults.inCriticalSection = async () => {
    server.faults.inCriticalSection = undefined;
    entered = true;
    await opened;
  };
  return { open, entered: () => entered };
}

const bigHall = {
  layout: { sections: [{ name: 'Stalls', rows: 4, seatsPerRow: 10, priceCents: 2500 }] },
};

describe('statement budget', () => {
  it('when one buyer buys named seats on a warm replica, then it costs one statement and no lock command', async () => {
    const event = await createEvent(app, admin, bigHall);
    const buyer = await signup(app);
    const seats = (await seatsOf(app, event.id)).seats;
    // Warm: the seat view of the event is loaded, the buyer authenticated once,
    // and the event's lock held (lingering) since that purchase.
    expect((await buyNow(app, buyer, event.id, { seatIds: [seats[0]?.id] })).statusCode).toBe(201);
    const before = await settledCounts();
    const res = await buyNow(app, buyer, event.id, { seatIds: [seats[1]?.id, seats[2]?.id] });
    expect(res.statusCode).toBe(201);
    const after = await settledCounts();
    // The auth row may be cached (0) or read (1); everything else is fixed.
    const fixed = PER_PURCHASE + PER_HOLD + BATCH_STATEMENTS + CAPTURE_MARKS;
    expect(after.db - before.db).toBeGreaterThanOrEqual(fixed);
    expect(after.db - before.db).toBeLessThanOrEqual(fixed + 1);
    expect(after.redis - before.redis).toBe(REDIS_PER_REQUEST + REDIS_PER_BATCH);
  });

  it('when the replica does not hold the event lock yet, then taking it costs three Redis commands and no statement', async () => {
    const event = await createEvent(app, admin, bigHall);
    const buyer = await signup(app);
    const seats = (await seatsOf(app, event.id)).seats;
    // The seat view is loaded and the buyer's auth row cached; the lock is free.
    await app.purchase.seatViews.of(event.id);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/orders', headers: bearer(buyer) })).statusCode,
    ).toBe(200);
    const before = await settledCounts();
    expect((await buyNow(app, buyer, event.id, { seatIds: [seats[0]?.id] })).statusCode).toBe(201);
    const after = await settledCounts();
    expect(after.db - before.db).toBe(PER_PURCHASE + PER_HOLD + BATCH_STATEMENTS + CAPTURE_MARKS);
    expect(after.redis - before.redis).toBe(REDIS_PER_REQUEST + REDIS_TO_TAKE_LOCK + REDIS_PER_BATCH);
  });

  it('when a named seat is plainly sold, then the refusal costs one read and no lock or seat-feed command', async () => {
    const event = await createEvent(app, admin, bigHall);
    const [first, second] = [await signup(app), await signup(app)];
    const seat = (await seatsOf(app, event.id)).seats[0]?.id as string;
    expect((await buyNow(app, first, event.id, { seatIds: [seat] })).statusCode).toBe(201);
    // The seat view learns of the sale through the seat feed.
    const view = await app.purchase.seatViews.of(event.id);
    await until(() => view.seats.get(seat)?.status === 'sold');
    const before = await settledCounts();
    const refused = await buyNow(app, second, event.id, { seatIds: [seat] });
    const after = await counts();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('SEAT_UNAVAILABLE');
    // Only "has this key been used?" (so that a retry of a finished purchase is replayed, not refused).
    // (The buyer's auth row is read once, unless a cache has it.)
    expect(after.db - before.db).toBeGreaterThanOrEqual(1);
    expect(after.db - before.db).toBeLessThanOrEqual(2);
    expect(after.redis - before.redis).toBe(REDIS_PER_REQUEST);
  });

  it('when 20 refusals ask at once whether their keys were used, then one statement answers them all', async () => {
    // Refusals of one turn of the event loop share the question (used-keys.ts).
    // Asked directly: over HTTP the requests' own awaits (the rate limit's Redis
    // round trip) spread them over a turn or two.
    const buyers = await Promise.all(Array.from({ length: 20 }, () => signup(app)));
    const used = randomUUID();
    const first = buyers[0] as TestUser;
    const event = await createEvent(app, admin, bigHall);
    const seat = (await seatsOf(app, event.id)).seats[0]?.id as string;
    expect((await buyNow(app, first, event.id, { seatIds: [seat] }, used)).statusCode).toBe(201);
    const before = await settledCounts();
    const answers = await Promise.all(
      buyers.map((b, i) => app.purchase.usedKeys.has(b.id, i === 0 ? used : randomUUID())),
    );
    const after = await settledCounts();
    expect(answers).toEqual([true, ...Array(19).fill(false)]);
    expect(after.db - before.db).toBe(1);
    expect(after.redis - before.redis).toBe(0);
  });

  it('when 20 purchases queue behind one lock hold, then their batch costs what a batch of one costs', async () => {
    const event = await createEvent(app, admin, bigHall);
    const seats = (await seatsOf(app, event.id)).seats;
    const buyers = await Promise.all(Array.from({ length: 21 }, () => signup(app)));
    const g = gate();
    const first = buyNow(app, buyers[0] as TestUser, event.id, { seatIds: [seats[0]?.id] });
    await until(g.entered);
    const rest = buyers.slice(1).map((b, i) => buyNow(app, b, event.id, { seatIds: [seats[i + 1]?.id] }));
    await until(() => app.locks.queued() === 20);
    const before = await counts();
    g.open();
    const answers = await Promise.all([first, ...rest]);
    const after = await settledCounts();
    expect(answers.map((a) => a.statusCode)).toEqual(Array(21).fill(201));
    // Two rounds of one hold: a batch of 1 (held at the gate before its write),
    // then a batch of 20; their captures are recorded by one statement, or two
    // when the second batch's came more than CAPTURE_MARK_DELAY_MS after the first's.
    const marks = after.db - before.db - 2 * BATCH_STATEMENTS;
    expect(marks).toBeGreaterThanOrEqual(CAPTURE_MARKS);
    expect(marks).toBeLessThanOrEqual(2 * CAPTURE_MARKS);
    // (The lock was taken before counting began, and the hold lingers after.)
    expect(after.redis - before.redis).toBe(2 * REDIS_PER_BATCH);
    const tickets = await app.db.ticket.count({ where: { eventId: event.id } });
    expect(tickets).toBe(21);
  });
});

describe('a view that is behind', () => {
  it('when another replica sold a seat and its message never arrived, then the batch reads first and refuses that seat', async () => {
    const other = await buildTestApp({ replicaId: 'batch-other', holdSweepIntervalMs: 3_600_000 });
    try {
      const event = await createEvent(app, admin, bigHall);
      const s = (await seatsOf(app, event.id)).seats.map((x) => x.id);
      const [first, second] = [await signup(app), await signup(app)];
      expect((await buyNow(app, first, event.id, { seatIds: [s[0]] })).statusCode).toBe(201);
      // The other replica sells s[1] and its seat message is lost.
      const publish = other.purchase.publishSeats;
      other.purchase.publishSeats = () => {};
      try {
        expect((await buyNow(other, first, event.id, { seatIds: [s[1]] })).statusCode).toBe(201);
      } finally {
        other.purchase.publishSeats = publish;
      }
      const view = await app.purchase.seatViews.of(event.id);
      expect(view.seats.get(s[1] as string)?.status).toBe('available');
      // The buyer's auth row is cached before counting.
      expect(
        (await app.inject({ method: 'GET', url: '/api/v1/orders', headers: bearer(second) })).statusCode,
      ).toBe(200);
      const before = await settledCounts();
      const refused = await buyNow(app, second, event.id, { seatIds: [s[1], s[2]] });
      const after = await settledCounts();
      expect(refused.statusCode).toBe(409);
      expect(refused.json().unavailable).toEqual([s[1]]);
      // The first write found the event past the view's version and wrote
      // nothing; then the epoch on its own, and the read that refused the seat
      // (nothing to write, no key stored).
      expect(after.db - before.db).toBe(BATCH_STATEMENTS + 1 + (BATCH_WITH_READ - 1));
      const bought = await buyNow(app, second, event.id, { seatIds: [s[2]] });
      expect(bought.statusCode).toBe(201);
      expect(await app.db.ticket.count({ where: { eventId: event.id } })).toBe(3);
    } finally {
      await other.close();
    }
  });
});

describe('keys stored with the order', () => {
  it('when one key arrives twice in one batch, then one order is made and both answers name it', async () => {
    const event = await createEvent(app, admin, bigHall);
    const s = (await seatsOf(app, event.id)).seats.map((x) => x.id);
    const [buyer, blocker] = [await signup(app), await signup(app)];
    const g = gate();
    const opening = buyNow(app, blocker, event.id, { seatIds: [s[39]] });
    await until(g.entered);
    const key = randomUUID();
    const twice = [
      buyNow(app, buyer, event.id, { seatIds: [s[0]] }, key),
      buyNow(app, buyer, event.id, { seatIds: [s[0]] }, key),
    ];
    await until(() => app.locks.queued() === 2);
    g.open();
    const answers = await Promise.all(twice);
    expect((await opening).statusCode).toBe(201);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 201]);
    expect(answers[0]?.json().id).toBe(answers[1]?.json().id);
    expect(await app.db.order.count({ where: { eventId: event.id, userId: buyer.id } })).toBe(1);
  });

  it('when a key was used for another body, then a purchase with it buys nothing and is told so', async () => {
    const event = await createEvent(app, admin, bigHall);
    const s = (await seatsOf(app, event.id)).seats.map((x) => x.id);
    const buyer = await signup(app);
    const key = randomUUID();
    expect((await buyNow(app, buyer, event.id, { seatIds: [s[0]] }, key)).statusCode).toBe(201);
    const other = await buyNow(app, buyer, event.id, { seatIds: [s[1]] }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await app.db.seat.count({ where: { eventId: event.id, status: 'sold' } })).toBe(1);
  });
});

describe('a view that is wrong', () => {
  it('when the view calls a sold seat available, then the write refuses to commit and the batch decides again from the database', async () => {
    const event = await createEvent(app, admin, bigHall);
    const s = (await seatsOf(app, event.id)).seats.map((x) => x.id) as string[];
    const [first, second] = [await signup(app), await signup(app)];
    expect((await buyNow(app, first, event.id, { seatIds: [s[0]] })).statusCode).toBe(201);
    const view = await app.purchase.seatViews.of(event.id);
    await until(() => view.seats.get(s[0] as string)?.status === 'sold');
    // Corrupt the view as no message could: s[0] looks free again, and s[1] too.
    const seat = view.seats.get(s[0] as string);
    if (seat) seat.status = 'available';
    const answer = await buyNow(app, second, event.id, { seatIds: [s[0], s[1]] });
    expect(answer.statusCode).toBe(409);
    expect(answer.json().unavailable).toEqual([s[0]]);
    expect(await app.db.ticket.count({ where: { eventId: event.id } })).toBe(1);
    expect(await app.db.seat.count({ where: { eventId: event.id, status: 'sold' } })).toBe(1);
    // The view is no longer trusted: it is read afresh, and then knows s[0] is sold.
    let healed = false;
    for (let i = 0; i < 200 && !healed; i++) {
      healed = (await app.purchase.seatViews.of(event.id)).seats.get(s[0] as string)?.status === 'sold';
      if (!healed) await new Promise((r) => setTimeout(r, 10));
    }
    expect(healed).toBe(true);
  });
});

describe('one batch, separate answers', () => {
  it('when buyers of one batch want overlapping seats, then each gets its own answer and the others are sold', async () => {
    const event = await createEvent(app, admin, bigHall);
    const s = (await seatsOf(app, event.id)).seats.map((x) => x.id);
    const [a, b, c, d, e, blocker] = await Promise.all(Array.from({ length: 6 }, () => signup(app)));
    const g = gate();
    const opening = buyNow(app, blocker as TestUser, event.id, { seatIds: [s[39]] });
    await until(g.entered);
    const answers = [
      buyNow(app, a as TestUser, event.id, { seatIds: [s[0], s[1]] }),
      buyNow(app, b as TestUser, event.id, { seatIds: [s[1], s[2]] }),
      buyNow(app, c as TestUser, event.id, { seatIds: [s[3]] }),
      buyNow(app, d as TestUser, event.id, { quantity: 3 }),
      buyNow(app, e as TestUser, event.id, { seatIds: [s[3], s[4]] }),
    ];
    await until(() => app.locks.queued() === 5);
    g.open();
    const [ra, rb, rc, rd, re] = await Promise.all(answers);
    expect((await opening).statusCode).toBe(201);
    // Queue order decides between two buyers of one seat: one wins, the other is
    // told which seat it lost; their other seats stay on sale.
    const pairs = [
      { both: [ra, rb], contested: s[1] },
      { both: [rc, re], contested: s[3] },
    ];
    const won: string[] = [];
    for (const { both, contested } of pairs) {
      expect(both.map((r) => r?.statusCode).sort()).toEqual([201, 409]);
      const loser = both.find((r) => r?.statusCode === 409);
      expect(loser?.json().unavailable).toEqual([contested]);
      const winner = both.find((r) => r?.statusCode === 201);
      won.push(...((winner?.json().seats as { id: string }[] | undefined) ?? []).map((x) => x.id));
    }
    expect(rd?.statusCode).toBe(201);
    const bestN = ((rd?.json().seats as { id: string }[] | undefined) ?? []).map((x) => x.id);
    expect(bestN).toHaveLength(3);
    for (const id of bestN) expect([...won, s[39]]).not.toContain(id);
    const losers = [ra, rb, rc, re].filter((r) => r?.statusCode === 409).length;
    expect(losers).toBe(2);
    // Nothing of a refused buyer was stored, and the refused keys are free again.
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(1 + 2 + 1);
    const keys = await app.db.idempotencyRecord.findMany({
      where: { userId: { in: [a, b, c, d, e].map((u) => u?.id ?? '') } },
    });
    expect(keys.map((k) => k.state)).toEqual(['completed', 'completed', 'completed']);
    const sold = await app.db.seat.count({ where: { eventId: event.id, status: 'sold' } });
    expect(sold).toBe(1 + won.length + 3);
  });

  it('when the batch is refused as a whole (sales closed), then every buyer hears it and nothing is stored', async () => {
    const event = await createEvent(app, admin, bigHall);
    const s = (await seatsOf(app, event.id)).seats.map((x) => x.id);
    const buyers = await Promise.all(Array.from({ length: 3 }, () => signup(app)));
    // Load the seat view while the event is on sale, then close sales.
    expect((await buyNow(app, buyers[0] as TestUser, event.id, { seatIds: [s[0]] })).statusCode).toBe(201);
    const closed = await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/events/${event.id}`,
      headers: bearer(admin),
      payload: { status: 'closed' },
    });
    expect(closed.statusCode).toBe(200);
    const answers = await Promise.all(
      buyers.map((b, i) => buyNow(app, b, event.id, i === 2 ? { quantity: 2 } : { seatIds: [s[i + 1]] })),
    );
    for (const a of answers) {
      expect(a.statusCode).toBe(409);
      expect(a.json().detail).toMatch(/closed/);
    }
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(1);
  });
});

describe('bounded queue', () => {
  it('when an event queue is full, then further buyers are answered 503 with Retry-After at once', async () => {
    const small = await buildTestApp({ replicaId: 'small-queue', lockQueueMax: 2, lockTtlMs: 30_000 });
    try {
      const adminSmall = await createAdmin(small);
      const event = await createEvent(small, adminSmall, bigHall);
      const s = (await seatsOf(small, event.id)).seats.map((x) => x.id);
      const buyers = await Promise.all(Array.from({ length: 6 }, () => signup(small)));
      const g = gate(small);
      const first = buyNow(small, buyers[0] as TestUser, event.id, { seatIds: [s[0]] });
      await until(g.entered);
      const queued = [1, 2].map((i) => buyNow(small, buyers[i] as TestUser, event.id, { seatIds: [s[i]] }));
      await until(() => small.locks.queued() === 2);
      // The queue is full while the gate is shut: these cannot be waiting for anything.
      const overflow = await Promise.all(
        [3, 4, 5].map((i) => buyNow(small, buyers[i] as TestUser, event.id, { seatIds: [s[i]] })),
      );
      g.open();
      for (const res of overflow) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        expect(res.json().code).toBe('UNAVAILABLE');
      }
      const served = await Promise.all([first, ...queued]);
      expect(served.map((r) => r.statusCode)).toEqual([201, 201, 201]);
      // A refused buyer may simply retry with the same key... or a new one.
      const retry = await buyNow(small, buyers[3] as TestUser, event.id, { seatIds: [s[3]] });
      expect(retry.statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('when a request waits in the queue longer than allowed, then it is answered 503 while the hold goes on', async () => {
    const slow = await buildTestApp({ replicaId: 'short-wait', lockQueueWaitMs: 100, lockTtlMs: 30_000 });
    try {
      const adminSlow = await createAdmin(slow);
      const event = await createEvent(slow, adminSlow, bigHall);
      const s = (await seatsOf(slow, event.id)).seats.map((x) => x.id);
      const [a, b] = [await signup(slow), await signup(slow)];
      const g = gate(slow);
      const first = buyNow(slow, a, event.id, { seatIds: [s[0]] });
      await until(g.entered);
      const key = randomUUID();
      // The gate stays shut until the waiting request has been answered.
      const waited = await buyNow(slow, b, event.id, { seatIds: [s[1]] }, key);
      g.open();
      expect(waited.statusCode).toBe(503);
      expect(waited.headers['retry-after']).toBeDefined();
      expect((await first).statusCode).toBe(201);
      // Nothing was written for it, and its key is free for the retry.
      const retry = await slow.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/orders`,
        headers: { ...bearer(b), 'idempotency-key': key },
        payload: { payment: GOOD_CARD, seatIds: [s[1]] },
      });
      expect(retry.statusCode).toBe(201);
    } finally {
      await slow.close();
    }
  });
});
