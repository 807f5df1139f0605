// A lock holder that stalls past its lease must not be able to write: Postgres
// fences it with the event's lock epoch, whatever Redis believes.

import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, hold, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventLockKey } from '../src/event-lock/redlock.ts';

let a: FastifyInstance;
let b: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  // Short leases so that a stalled holder loses its lock quickly.
  a = await buildTestApp({ replicaId: 'replica-a', lockTtlMs: 400 });
  b = await buildTestApp({ replicaId: 'replica-b', lockTtlMs: 400 });
  admin = await createAdmin(a);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

async function fencedCount(app: FastifyInstance): Promise<number> {
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  const line = metrics.body.split('\n').find((l) => l.startsWith('tickets_fenced_rejections_total'));
  return Number(line?.split(' ')[1]);
}

describe('fencing', () => {
  it('when a holder stalls past its lease while another buys the seat, then the stale write is rejected and counted', async () => {
    const event = await createEvent(a, admin);
    const [slow, fast] = [await signup(a), await signup(a)];
    const seat = (await seatsOf(a, event.id)).seats[0]?.id as string;
    let fastAnswer: Awaited<ReturnType<typeof buyNow>> | undefined;
    a.faults.inCriticalSection = async () => {
      a.faults.inCriticalSection = undefined;
      // Replica A has its lock and epoch, then stalls. B can only get the lock
      // once A's lease has run out; it buys the same seat meanwhile.
      fastAnswer = await buyNow(b, fast, event.id, { seatIds: [seat] });
    };
    const before = await fencedCount(a);
    const stale = await buyNow(a, slow, event.id, { seatIds: [seat] });

    expect(fastAnswer?.statusCode).toBe(201);
    expect(stale.statusCode).toBe(503);
    expect(stale.json().code).toBe('UNAVAILABLE');
    expect(await fencedCount(a)).toBe(before + 1);
    const tickets = await a.db.ticket.findMany({ where: { eventId: event.id } });
    expect(tickets.map((t) => t.seatId)).toEqual([seat]);
    expect(tickets[0]?.orderId).toBe(fastAnswer?.json().id);
    expect(await a.db.order.count({ where: { eventId: event.id, userId: slow.id } })).toBe(0);
    const log = await a.db.auditEntry.findMany({
      where: { action: 'lock.fenced', subject: `event:${event.id}` },
    });
    expect(log.map((e) => e.replica)).toEqual(['replica-a']);
  });

  it('when the lock keys are deleted while a holder works, then the new holder wins and the old one cannot commit', async () => {
    const event = await createEvent(a, admin);
    const [first, second] = [await signup(a), await signup(a)];
    const seat = (await seatsOf(a, event.id)).seats[1]?.id as string;
    let secondAnswer: Awaited<ReturnType<typeof hold>> | undefined;
    a.faults.inCriticalSection = async (eventId) => {
      a.faults.inCriticalSection = undefined;
      // As if Redis lost the keys (a restart without persistence): B gets the
      // lock at once, while A still believes it holds it.
      await Promise.all(a.redis.map((r) => r.del(eventLockKey(eventId))));
      secondAnswer = await hold(b, second, event.id, { seatIds: [seat] });
    };
    const stale = await hold(a, first, event.id, { seatIds: [seat] });
    expect(secondAnswer?.statusCode).toBe(201);
    expect(stale.statusCode).toBe(503);
    const held = await a.db.seat.findUniqueOrThrow({ where: { id: seat } });
    expect(held.holdId).toBe(secondAnswer?.json().id);
    expect(await a.db.hold.count({ where: { eventId: event.id, userId: first.id } })).toBe(0);
    // The stale holder's buyer can retry and is told the truth.
    const retry = await hold(a, first, event.id, { seatIds: [seat] });
    expect(retry.statusCode).toBe(409);
    expect(retry.json().code).toBe('SEAT_UNAVAILABLE');
    const me = await a.inject({ method: 'GET', url: '/api/v1/orders', headers: bearer(first) });
    expect(me.json().items).toEqual([]);
  });
});
