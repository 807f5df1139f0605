// Joining a waiting room (src/domain/waiting-room/join-queue.ts): one place per customer,
// a new one at the back after an admission ran out, and 404 where there is no room.
import { bearer, createEvent } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import type { Buyer } from '../support/buyers.ts';
import {
  API,
  a,
  admin,
  admissionOrder,
  b,
  buyers,
  clock,
  expectRefused,
  join,
  roomEvent,
  stateOf,
  useTwoReplicas,
} from './support.ts';

useTwoReplicas();

describe('joining', () => {
  it('when a customer joins again, at once or many times concurrently, then they keep one place', async () => {
    clock.ms = Date.now();
    const [before, after] = [await roomEvent(10, clock.ms + 60_000), await roomEvent(10, null)];
    const [customer, other] = await buyers(2);
    for (const event of [before, after]) {
      await join(a, other as Buyer, event.id);
      const first = await join(a, customer as Buyer, event.id);
      const again = await Promise.all(
        Array.from({ length: 6 }, (_, i) => join(i % 2 ? b : a, customer as Buyer, event.id)),
      );
      for (const answer of again) expect(answer).toEqual(first);
      expect(await a.db.queueEntry.count({ where: { eventId: event.id, userId: customer?.id } })).toBe(1);
    }
    // Joining again never re-draws a place before the opening.
    const [entry] = await a.db.queueEntry.findMany({ where: { eventId: before.id, userId: customer?.id } });
    await join(b, customer as Buyer, before.id);
    const [same] = await a.db.queueEntry.findMany({ where: { eventId: before.id, userId: customer?.id } });
    expect(same?.drawKey).toBe(entry?.drawKey);
  });

  it('when an admission has run out, then GET says expired and joining again queues anew, at the back', async () => {
    clock.ms = Date.now();
    const event = await roomEvent(60, null);
    const [first, second] = await buyers(2);
    const admitted = await join(a, first as Buyer, event.id);
    expect(admitted.state).toBe('admitted');
    await join(a, second as Buyer, event.id);
    clock.ms = Date.parse(admitted.expiresAt as string);
    expect(await stateOf(b, first as Buyer, event.id)).toEqual({
      state: 'expired',
      expiredAt: admitted.expiresAt,
    });
    const again = await join(b, first as Buyer, event.id);
    expect(again.state).toBe('admitted'); // the line is empty by now
    expect(again.admissionToken).not.toBe(admitted.admissionToken);
    expect(await admissionOrder(event.id)).toEqual([first?.id, second?.id, first?.id]);
  });

  it('when the event has no waiting room, or the customer never joined, then the queue answers 404', async () => {
    const plain = await createEvent(a, admin);
    const room = await roomEvent(10, null);
    const [customer] = await buyers(1);
    for (const method of ['POST', 'GET'] as const) {
      const res = await a.inject({
        method,
        url: `${API}/events/${plain.id}/queue`,
        headers: bearer(customer as Buyer),
      });
      expectRefused(res, 404, 'NOT_FOUND');
    }
    const res = await a.inject({
      method: 'GET',
      url: `${API}/events/${room.id}/queue`,
      headers: bearer(customer as Buyer),
    });
    expectRefused(res, 404, 'NOT_FOUND');
    const anonymous = await a.inject({ method: 'POST', url: `${API}/events/${room.id}/queue` });
    expectRefused(anonymous, 401, 'UNAUTHENTICATED');
  });
});
