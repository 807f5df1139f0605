// Hold and order limits per buyer, counted across replicas; a refused request buys nothing.
import { createEvent } from '@tickets/testkit/app';
import { buyNow, hold, orderHold, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { a, admin, b, customer, expectRateLimited, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('holds and orders', () => {
  it('when a buyer orders more often than the limit, across replicas, then the next order is 429, buys nothing, and other buyers go on', async () => {
    const event = await createEvent(a, admin);
    const buyer = await customer();
    expect((await buyNow(a, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    expect((await buyNow(b, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    const before = await seatsOf(a, event.id);
    const refused = await buyNow(a, buyer, event.id, { quantity: 1 });
    expectRateLimited(refused, 60);
    expect(await seatsOf(a, event.id)).toEqual(before);
    expect(await a.db.order.count({ where: { userId: buyer.id } })).toBe(2);
    // The order of a hold counts in the same bucket.
    const held = await hold(b, buyer, event.id, { quantity: 1 });
    expect(held.statusCode, held.body).toBe(201);
    expectRateLimited(await orderHold(b, buyer, held.json().id), 60);
    // Another buyer is not affected.
    expect((await buyNow(b, await customer(), event.id, { quantity: 1 })).statusCode).toBe(201);
  });

  it('when a buyer holds more often than the limit, then the next hold is 429 and holds nothing', async () => {
    const event = await createEvent(a, admin);
    const buyer = await customer();
    expect((await hold(a, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    expectRateLimited(await hold(b, buyer, event.id, { quantity: 1 }), 60);
    expect(await a.db.hold.count({ where: { userId: buyer.id } })).toBe(1);
  });
});
