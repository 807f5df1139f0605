// One-step purchases against the limit: refused past it with how many remain, per customer,
// and replayed rather than refused when retried with their key.
import { randomUUID } from 'node:crypto';
import { createEvent, signup } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { a, admin, b, hall, holdsOf, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('one-step purchases', () => {
  it('when a purchase would pass the limit, then 409 LIMIT_EXCEEDED says how many remain and its seats stay on sale', async () => {
    const event = await createEvent(a, admin, hall(4));
    const s = (await seatsOf(a, event.id)).seats.map((x) => x.id);
    const buyer = await signup(a);
    expect((await buyNow(a, buyer, event.id, { seatIds: [s[0], s[1], s[2]] })).statusCode).toBe(201);
    const named = await buyNow(a, buyer, event.id, { seatIds: [s[3], s[4]] });
    expect(named.statusCode).toBe(409);
    expect(named.headers['content-type']).toContain('application/problem+json');
    expect(named.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', status: 409, remaining: 1 });
    const best = await buyNow(b, buyer, event.id, { quantity: 2 });
    expect(best.statusCode).toBe(409);
    expect(best.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 1 });
    expect(
      await a.db.seat.count({ where: { id: { in: [s[3], s[4]] as string[] }, status: 'available' } }),
    ).toBe(2);
    expect((await buyNow(b, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    const none = await buyNow(a, buyer, event.id, { seatIds: [s[9]] });
    expect(none.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 0 });
    expect(await holdsOf(event.id, buyer.id)).toBe(4);
  });

  it('when customers buy for the same event, then each has a limit of their own', async () => {
    const event = await createEvent(a, admin, hall(2));
    const [x, y] = [await signup(a), await signup(a)];
    expect((await buyNow(a, x, event.id, { quantity: 2 })).statusCode).toBe(201);
    expect((await buyNow(b, y, event.id, { quantity: 2 })).statusCode).toBe(201);
    expect((await buyNow(a, x, event.id, { quantity: 1 })).json().code).toBe('LIMIT_EXCEEDED');
    expect((await buyNow(b, y, event.id, { quantity: 1 })).json().code).toBe('LIMIT_EXCEEDED');
    // And one event's limit says nothing about another's.
    const other = await createEvent(a, admin, hall(2));
    expect((await buyNow(a, x, other.id, { quantity: 2 })).statusCode).toBe(201);
  });

  it('when a purchase that reached the limit is retried with its key, then it is replayed, not refused', async () => {
    const event = await createEvent(a, admin, hall(2));
    const buyer = await signup(a);
    const key = randomUUID();
    const first = await buyNow(a, buyer, event.id, { quantity: 2 }, key);
    expect(first.statusCode).toBe(201);
    for (const app of [a, b]) {
      const again = await buyNow(app, buyer, event.id, { quantity: 2 }, key);
      expect(again.statusCode).toBe(200);
      expect(again.json().id).toBe(first.json().id);
    }
  });
});
