// What a purchase costs in statements and Redis commands (counted by the service's own
// metrics), and that a batch of N costs what a batch of one costs.
import { randomUUID } from 'node:crypto';
import { bearer, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import {
  admin,
  app,
  BATCH_STATEMENTS,
  bigHall,
  CAPTURE_MARKS,
  counts,
  gate,
  PER_HOLD,
  PER_PURCHASE,
  REDIS_PER_BATCH,
  REDIS_PER_REQUEST,
  REDIS_TO_TAKE_LOCK,
  settledCounts,
  until,
  useBatchApp,
} from './support.ts';

useBatchApp();

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
