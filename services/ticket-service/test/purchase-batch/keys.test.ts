// Idempotency keys stored with the order, in the round's statement: one order for a key
// sent twice in one batch, nothing bought with a key used for another body.
import { randomUUID } from 'node:crypto';
import { createEvent, signup } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { admin, app, bigHall, gate, until, useBatchApp } from './support.ts';

useBatchApp();

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
