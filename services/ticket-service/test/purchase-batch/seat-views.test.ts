// A replica's seat view that is behind (a lost seat message) or wrong: the batch's write
// refuses to commit on it, and the seats are decided again from the database.
import { bearer, buildTestApp, createEvent, signup } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import {
  admin,
  app,
  BATCH_STATEMENTS,
  BATCH_WITH_READ,
  bigHall,
  settledCounts,
  until,
  useBatchApp,
} from './support.ts';

useBatchApp();

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
