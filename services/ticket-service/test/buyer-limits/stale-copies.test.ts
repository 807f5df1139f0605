// The limit changed, or known only from a stale copy on a replica: the database's check
// still holds it.
import { createEvent, signup } from '@tickets/testkit/app';
import { buyNow, hold } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { a, admin, b, eventually, hall, holdsOf, patch, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('changes and stale copies', () => {
  it('when the admin lowers the limit, then later purchases and holds on every replica obey it; what was bought stays', async () => {
    const event = await createEvent(a, admin, hall());
    const buyer = await signup(a);
    // Replica B knows the event (its seat view and its copy of the settings).
    expect((await buyNow(b, buyer, event.id, { quantity: 4 })).statusCode).toBe(201);
    expect((await patch(event.id, { maxTicketsPerCustomer: 5 })).statusCode).toBe(200);
    const over = await buyNow(b, buyer, event.id, { quantity: 2 });
    expect(over.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 1 });
    expect((await buyNow(b, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    expect((await hold(b, buyer, event.id, { quantity: 1 })).json().code).toBe('LIMIT_EXCEEDED');
    // Lowered below what the customer has: nothing is taken back, nothing more is sold.
    expect((await patch(event.id, { maxTicketsPerCustomer: 3 })).statusCode).toBe(200);
    expect((await buyNow(b, buyer, event.id, { quantity: 1 })).json()).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      remaining: 0,
    });
    expect(await holdsOf(event.id, buyer.id)).toBe(5);
    // Raised again: every replica sells up to the new limit (after one pub/sub hop at most).
    expect((await patch(event.id, { maxTicketsPerCustomer: 6 })).statusCode).toBe(200);
    let bought = false;
    for (let i = 0; i < 200 && !bought; i++) {
      const res = await buyNow(b, buyer, event.id, { quantity: 1 });
      bought = res.statusCode === 201;
      if (!bought) {
        expect(res.json().code).toBe('LIMIT_EXCEEDED');
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    expect(bought).toBe(true);
    expect(await holdsOf(event.id, buyer.id)).toBe(6);
  });

  it("when a replica's copy of the limit is stale, then the database refuses the round and it is decided again", async () => {
    const event = await createEvent(a, admin, hall(3));
    const buyer = await signup(a);
    const limitOf = b.purchase.ticketLimitOf;
    // As if B never heard of a lowered limit: it decides with 100.
    b.purchase.ticketLimitOf = async () => 100;
    try {
      expect((await buyNow(b, buyer, event.id, { quantity: 2 })).statusCode).toBe(201);
      const over = await buyNow(b, buyer, event.id, { quantity: 2 });
      expect(over.statusCode).toBe(409);
      expect(over.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 1 });
    } finally {
      b.purchase.ticketLimitOf = limitOf;
    }
    expect(await holdsOf(event.id, buyer.id)).toBe(2);
  });

  it("when a replica's seat view does not know who has the seats, then the database's check still holds the limit", async () => {
    const event = await createEvent(a, admin, hall(3));
    const buyer = await signup(a);
    const view = await a.purchase.seatViews.of(event.id);
    // Changes published without their owner (as an older replica would): no
    // view counts them for the buyer.
    const publish = a.purchase.publishSeats;
    a.purchase.publishSeats = (eventId, version, changes) =>
      publish(
        eventId,
        version,
        changes.map((c) => ({ ...c, owner: null })),
      );
    try {
      expect((await buyNow(a, buyer, event.id, { quantity: 3 })).statusCode).toBe(201);
    } finally {
      a.purchase.publishSeats = publish;
    }
    expect(view.owned(buyer.id)).toBe(0);
    const over = await buyNow(a, buyer, event.id, { quantity: 1 });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 0 });
    expect(await holdsOf(event.id, buyer.id)).toBe(3);
    // The view was found wrong: it is read again, and then counts the buyer's seats.
    await eventually(async () => (await a.purchase.seatViews.of(event.id)).owned(buyer.id) === 3);
  });
});
