// The in-memory seat view that refuses plainly unavailable seats: fed by the seat
// feed across replicas, and healed by a reload when a change was never delivered.

import { buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let a: FastifyInstance;
let b: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  a = await buildTestApp({ replicaId: 'view-a' });
  b = await buildTestApp({ replicaId: 'view-b' });
  admin = await createAdmin(a);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 400 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
  expect(await check()).toBe(true);
}

describe('seat view', () => {
  it('when a seat is sold on one replica, then the other refuses it without a lock', async () => {
    const event = await createEvent(a, admin);
    const seat = (await seatsOf(a, event.id)).seats[0]?.id as string;
    const view = await b.purchase.seatViews.of(event.id);
    expect(view.seats.get(seat)?.status).toBe('available');
    const availableBefore = view.availableCount();
    expect((await buyNow(a, await signup(a), event.id, { seatIds: [seat] })).statusCode).toBe(201);
    await eventually(async () => view.seats.get(seat)?.status === 'sold');
    expect(view.availableCount()).toBe(availableBefore - 1);
    const refused = await buyNow(b, await signup(b), event.id, { seatIds: [seat] });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().unavailable).toEqual([seat]);
  });

  it('when a change is never published, then the next version exposes the gap and a reload heals the view', async () => {
    const event = await createEvent(a, admin);
    const [x, y, z] = (await seatsOf(a, event.id)).seats.map((s) => s.id) as [string, string, string];
    await b.purchase.seatViews.of(event.id);
    const buyer = await signup(a);
    expect((await buyNow(a, buyer, event.id, { seatIds: [x] })).statusCode).toBe(201);
    // As if replica A died between COMMIT and publishing.
    const publish = a.purchase.publishSeats;
    a.purchase.publishSeats = () => {};
    try {
      expect((await buyNow(a, buyer, event.id, { seatIds: [y] })).statusCode).toBe(201);
    } finally {
      a.purchase.publishSeats = publish;
    }
    expect((await buyNow(a, buyer, event.id, { seatIds: [z] })).statusCode).toBe(201);
    await eventually(async () => (await b.purchase.seatViews.of(event.id)).seats.get(z)?.status === 'sold');
    // Y's change never arrived; the gap in versions makes the view reload itself.
    await eventually(async () => (await b.purchase.seatViews.of(event.id)).seats.get(y)?.status === 'sold');
  });

  it('when an event does not exist, then the view answers 404 like the API', async () => {
    const res = await buyNow(b, await signup(b), '00000000-0000-4000-8000-000000000000', { quantity: 1 });
    expect(res.statusCode).toBe(404);
  });
});
