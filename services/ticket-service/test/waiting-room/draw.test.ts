// The draw at the opening of a waiting room (src/domain/waiting-room/): who joined before
// the opening is admitted in a random order, at admitPerMinute, on either replica.
import { buildTestApp } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import type { Buyer } from '../support/buyers.ts';
import {
  a,
  admissionOrder,
  admittedCount,
  b,
  buyers,
  clock,
  join,
  type QueueAnswer,
  roomEvent,
  stateOf,
  statesOf,
  until,
  useTwoReplicas,
} from './support.ts';

useTwoReplicas();

describe('the draw at the opening', () => {
  it('when 50 customers join before the opening, then they are admitted in a random order, not in the order they joined', async () => {
    clock.ms = Date.now();
    const opening = clock.ms + 60_000;
    const event = await roomEvent(60, opening);
    const joiners = await buyers(50);
    for (const [i, buyer] of joiners.entries()) {
      clock.ms += 100; // one a tenth of a second, alternating replicas
      const answer = await join(i % 2 ? b : a, buyer, event.id);
      expect(answer).toMatchObject({ state: 'waiting', provisional: true });
      expect(answer.estimatedWaitSeconds).toBeGreaterThanOrEqual(Math.ceil((opening - clock.ms) / 1000));
    }
    // Provisional places before the opening are a permutation too.
    const provisional = await Promise.all(joiners.map((u) => stateOf(a, u, event.id)));
    expect(provisional.map((s) => s.position).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );

    clock.ms = opening;
    // The first request after the opening draws; everyone's place is then fixed.
    const answers = await statesOf(joiners, event.id);
    const order = await admissionOrder(event.id);
    const joinOrder = joiners.map((u) => u.id);
    expect([...order].sort()).toEqual([...joinOrder].sort());
    expect(order).not.toEqual(joinOrder);
    // 50! orders are equally likely; the join order is not favoured either way.
    const firstHalfJoiners = new Set(joinOrder.slice(0, 25));
    const firstHalfAdmitted = order.slice(0, 25).filter((id) => firstHalfJoiners.has(id)).length;
    expect(firstHalfAdmitted).toBeGreaterThan(3);
    expect(firstHalfAdmitted).toBeLessThan(22);

    // At the opening the first is admitted; the others wait, positions 1..49 in slot order.
    const byUser = new Map(joiners.map((u, i) => [u.id, answers[i] as QueueAnswer]));
    expect(byUser.get(order[0] as string)?.state).toBe('admitted');
    for (const [slot, userId] of order.entries()) {
      if (slot === 0) continue;
      expect(byUser.get(userId)).toMatchObject({
        state: 'waiting',
        position: slot,
        estimatedWaitSeconds: slot,
        provisional: false,
      });
    }
    // Both replicas agree, on the place and on the token.
    const first = joiners.find((u) => u.id === order[0]) as Buyer;
    const [onA, onB] = [await stateOf(a, first, event.id), await stateOf(b, first, event.id)];
    expect(onA).toEqual(onB);
  });

  it('when joins from before the opening are still in flight as another replica draws, then every one of them is drawn or queued, none lost', async () => {
    clock.ms = Date.now();
    const opening = clock.ms + 1;
    // A replica whose clock is still before the opening keeps taking joins for the
    // draw while customers joining on b, past the opening, make b run it: each
    // early join lands before the draw (and is drawn) or after it (and queues in
    // line), whatever the interleaving.
    const behind = await buildTestApp({ replicaId: 'wr-behind' }, { now: () => opening - 1 });
    try {
      const event = await roomEvent(600, opening);
      const [early, late] = [await buyers(40), await buyers(5)];
      clock.ms = opening;
      const joins = early.map((u) => join(behind, u, event.id));
      // The draw once some joins have landed, while the others are on their way.
      await until(async () => (await a.db.queueEntry.count({ where: { eventId: event.id } })) > 12, 'joins');
      await Promise.all([...joins, ...late.map((u) => join(b, u, event.id))]);
      await statesOf([...early, ...late], event.id, [b]);
      const entries = await a.db.queueEntry.findMany({
        where: { eventId: event.id },
        orderBy: { slot: 'asc' },
      });
      expect(entries).toHaveLength(45);
      expect(entries.map((e) => Number(e.slot))).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
      // The late ones are never drawn: they came after the opening.
      const lateIds = new Set(late.map((u) => u.id));
      expect(entries.filter((e) => lateIds.has(e.userId)).every((e) => e.drawKey === null)).toBe(true);
    } finally {
      await behind.close();
    }
  });

  it('when admission runs, then it holds admitPerMinute within 10 %, and those who join later queue in order of arrival', async () => {
    clock.ms = Date.now();
    const opening = clock.ms + 10_000;
    const event = await roomEvent(30, opening); // one every 2 s
    const early = await buyers(40);
    for (const [i, u] of early.entries()) await join(i % 2 ? b : a, u, event.id);

    const counts: [number, number][] = [];
    for (const seconds of [0, 1, 9, 20, 41, 60]) {
      clock.ms = opening + seconds * 1000;
      counts.push([seconds, await admittedCount(early, event.id)]);
    }
    // Slot k (from 0) is due at the opening + 2k s.
    expect(counts).toEqual(counts.map(([s]) => [s, Math.min(40, Math.floor(s / 2) + 1)]));
    const [, from] = counts[0] as [number, number];
    const [, to] = counts[4] as [number, number];
    const perMinute = ((to - from) / 41) * 60;
    expect(Math.abs(perMinute - 30) / 30).toBeLessThanOrEqual(0.1);

    // Later arrivals, one at a time, are first come, first served behind the drawn ones.
    // The drawn ones were all due by the opening + 78 s: the line is empty again.
    clock.ms = opening + 100_000;
    const late = await buyers(6);
    for (const u of late) {
      clock.ms += 10;
      await join(u === late[0] ? a : b, u, event.id);
    }
    const order = await admissionOrder(event.id);
    expect(order.slice(40)).toEqual(late.map((u) => u.id));
    // The first of them is admitted at once, the next 2 s later, and so on.
    const entries = await a.db.queueEntry.findMany({
      where: { eventId: event.id },
      orderBy: { slot: 'asc' },
    });
    const times = entries.slice(40).map((e) => e.admitAt?.getTime() ?? 0);
    expect(times[0]).toBe(opening + 100_010);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBe(2000);
  });

  it('when 40 customers join at once after the opening, on both replicas, then slots are dense and admissions two seconds apart', async () => {
    clock.ms = Date.now();
    const event = await roomEvent(30, null);
    const crowd = await buyers(40);
    await Promise.all(crowd.map((u, i) => join(i % 2 ? b : a, u, event.id)));
    const entries = await a.db.queueEntry.findMany({
      where: { eventId: event.id },
      orderBy: { slot: 'asc' },
    });
    expect(entries.map((e) => Number(e.slot))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(entries.map((e) => (e.admitAt?.getTime() ?? 0) - clock.ms)).toEqual(
      Array.from({ length: 40 }, (_, i) => i * 2000),
    );
    clock.ms += 30_000;
    expect(await admittedCount(crowd, event.id)).toBe(16);
  });
});
