// An event's queue refuses at once when it is full or a request waited too long: 503 with
// Retry-After, nothing written, and the key free for the retry.
import { randomUUID } from 'node:crypto';
import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, GOOD_CARD, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { bigHall, gate, until, useBatchApp } from './support.ts';

useBatchApp();

describe('bounded queue', () => {
  it('when an event queue is full, then further buyers are answered 503 with Retry-After at once', async () => {
    const small = await buildTestApp({ replicaId: 'small-queue', lockQueueMax: 2, lockTtlMs: 30_000 });
    try {
      const adminSmall = await createAdmin(small);
      const event = await createEvent(small, adminSmall, bigHall);
      const s = (await seatsOf(small, event.id)).seats.map((x) => x.id);
      const buyers = await Promise.all(Array.from({ length: 6 }, () => signup(small)));
      const g = gate(small);
      const first = buyNow(small, buyers[0] as TestUser, event.id, { seatIds: [s[0]] });
      await until(g.entered);
      const queued = [1, 2].map((i) => buyNow(small, buyers[i] as TestUser, event.id, { seatIds: [s[i]] }));
      await until(() => small.locks.queued() === 2);
      // The queue is full while the gate is shut: these cannot be waiting for anything.
      const overflow = await Promise.all(
        [3, 4, 5].map((i) => buyNow(small, buyers[i] as TestUser, event.id, { seatIds: [s[i]] })),
      );
      g.open();
      for (const res of overflow) {
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBeDefined();
        expect(res.json().code).toBe('UNAVAILABLE');
      }
      const served = await Promise.all([first, ...queued]);
      expect(served.map((r) => r.statusCode)).toEqual([201, 201, 201]);
      // A refused buyer may simply retry with the same key... or a new one.
      const retry = await buyNow(small, buyers[3] as TestUser, event.id, { seatIds: [s[3]] });
      expect(retry.statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('when a request waits in the queue longer than allowed, then it is answered 503 while the hold goes on', async () => {
    const slow = await buildTestApp({ replicaId: 'short-wait', lockQueueWaitMs: 100, lockTtlMs: 30_000 });
    try {
      const adminSlow = await createAdmin(slow);
      const event = await createEvent(slow, adminSlow, bigHall);
      const s = (await seatsOf(slow, event.id)).seats.map((x) => x.id);
      const [a, b] = [await signup(slow), await signup(slow)];
      const g = gate(slow);
      const first = buyNow(slow, a, event.id, { seatIds: [s[0]] });
      await until(g.entered);
      const key = randomUUID();
      // The gate stays shut until the waiting request has been answered.
      const waited = await buyNow(slow, b, event.id, { seatIds: [s[1]] }, key);
      g.open();
      expect(waited.statusCode).toBe(503);
      expect(waited.headers['retry-after']).toBeDefined();
      expect((await first).statusCode).toBe(201);
      // Nothing was written for it, and its key is free for the retry.
      const retry = await slow.inject({
        method: 'POST',
        url: `/api/v1/events/${event.id}/orders`,
        headers: { ...bearer(b), 'idempotency-key': key },
        payload: { payment: GOOD_CARD, seatIds: [s[1]] },
      });
      expect(retry.statusCode).toBe(201);
    } finally {
      await slow.close();
    }
  });
});
