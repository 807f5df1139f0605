// Buyers of one batch get their own answers: one seat wanted by two goes to one of them,
// and a batch refused as a whole stores nothing.
import { bearer, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { admin, app, bigHall, gate, until, useBatchApp } from './support.ts';

useBatchApp();

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
