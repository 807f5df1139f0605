// Held seats count against the limit until the hold is bought or released.
import { bearer, createEvent, signup } from '@tickets/testkit/app';
import { buyNow, hold, orderHold, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { a, admin, b, hall, holdsOf, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('holds', () => {
  it('when a customer holds seats, then they count until the hold is bought or released', async () => {
    const event = await createEvent(a, admin, hall(5));
    const s = (await seatsOf(a, event.id)).seats.map((x) => x.id);
    const buyer = await signup(a);
    const held = await hold(a, buyer, event.id, { seatIds: [s[0], s[1], s[2]] });
    expect(held.statusCode).toBe(201);
    // One-step purchases count the held seats, on either replica.
    const tooMany = await buyNow(b, buyer, event.id, { quantity: 3 });
    expect(tooMany.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 2 });
    // So do holds.
    const another = await hold(b, buyer, event.id, { quantity: 3 });
    expect(another.statusCode).toBe(409);
    expect(another.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 2 });
    expect((await buyNow(a, buyer, event.id, { seatIds: [s[3], s[4]] })).statusCode).toBe(201);
    expect((await hold(a, buyer, event.id, { seatIds: [s[5]] })).json()).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      remaining: 0,
    });
    // Buying the hold adds nothing: its seats were counted already.
    expect((await orderHold(b, buyer, held.json().id)).statusCode).toBe(201);
    expect(await holdsOf(event.id, buyer.id)).toBe(5);

    // A released hold no longer counts.
    const other = await signup(a);
    const small = await hold(a, other, event.id, { seatIds: [s[10], s[11], s[12], s[13], s[14]] });
    expect(small.statusCode).toBe(201);
    expect((await buyNow(a, other, event.id, { quantity: 1 })).json().code).toBe('LIMIT_EXCEEDED');
    const released = await a.inject({
      method: 'DELETE',
      url: `/api/v1/holds/${small.json().id}`,
      headers: bearer(other),
    });
    expect(released.statusCode).toBe(204);
    expect((await buyNow(a, other, event.id, { quantity: 5 })).statusCode).toBe(201);
  });
});
