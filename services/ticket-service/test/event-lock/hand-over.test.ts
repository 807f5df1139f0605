// The lock between replicas (src/event-lock/locker.ts, wakeups.ts): two lockers on
// the same Redis masters are two replicas. A hold keeps the lock while its replica has
// work, and after the queue ran empty (lingering, for the next request); when the
// other replica wants the lock, it lets go: at once when lingering, after maxHoldMs
// when busy, so that both replicas make progress.
import { describe, expect, it } from 'vitest';
import { createEventLocker } from '../../src/event-lock/locker.ts';
import { eventLockKey } from '../../src/event-lock/redlock.ts';
import type { EventLocker } from '../../src/event-lock/types.ts';
import { createLockWakeups } from '../../src/event-lock/wakeups.ts';
import { clients, epochs, newEventId, patient, recorder, until, useRedisClients } from './support.ts';

useRedisClients();

/** Switches from one replica to the other in the order requests were served. */
const handOvers = (served: string[]) => served.filter((who, i) => i > 0 && who !== served[i - 1]).length;

describe('the lock between two replicas', () => {
  it('when both replicas keep sending requests for one event, then each hold lets go after maxHoldMs and the replicas take turns', async () => {
    const eventId = newEventId('max-hold');
    const settings = patient({ maxHoldMs: 50 });
    const [wakeupsA, wakeupsB] = [createLockWakeups(clients, () => {}), createLockWakeups(clients, () => {})];
    const a = createEventLocker(clients, settings, recorder().observer, epochs(), wakeupsA);
    const b = createEventLocker(clients, settings, recorder().observer, epochs(), wakeupsB);
    const served: string[] = [];
    // Enough turns to show that neither replica keeps the lock; a cap, so that a
    // replica that never lets go fails the test rather than keeping it running.
    const done = () => handOvers(served) >= 6 || served.length >= 3_000;
    /** One replica's requests, one after the other: each is sent when the previous one was served. */
    const keepSending = (locker: EventLocker, who: string): Promise<void> =>
      locker
        .withEventLock(eventId, async () => {
          served.push(who);
          await new Promise((r) => setTimeout(r, 2));
        })
        .then(() => (done() ? undefined : keepSending(locker, who)));
    try {
      await Promise.all([keepSending(a, 'a'), keepSending(a, 'a'), keepSending(b, 'b'), keepSending(b, 'b')]);
      expect(handOvers(served)).toBeGreaterThanOrEqual(6);
      expect(served.filter((who) => who === 'a').length).toBeGreaterThan(2);
      expect(served.filter((who) => who === 'b').length).toBeGreaterThan(2);
    } finally {
      a.close();
      b.close();
      await Promise.all([wakeupsA.close(), wakeupsB.close()]);
    }
  }, 120_000);

  it('when the queue runs empty, then the hold keeps the lock for the next request, and lets go when another replica wants it', async () => {
    const eventId = newEventId('linger');
    const [wakeupsA, wakeupsB] = [createLockWakeups(clients, () => {}), createLockWakeups(clients, () => {})];
    const [recordedA, recordedB] = [recorder(), recorder()];
    // A lingers for most of its minute-long lease; B waits a third of that at most.
    const a = createEventLocker(
      clients,
      patient({ lingerMs: 60_000 }),
      recordedA.observer,
      epochs(),
      wakeupsA,
    );
    const b = createEventLocker(
      clients,
      patient({ queueTimeoutMs: 20_000, lingerMs: 0 }),
      recordedB.observer,
      epochs(),
      wakeupsB,
    );
    try {
      await expect(a.withEventLock(eventId, async () => 'a1')).resolves.toBe('a1');
      // Lingering: the key is still set, and the next request finds the lock taken already.
      expect(await clients[0]?.exists(eventLockKey(eventId))).toBe(1);
      await expect(a.withEventLock(eventId, async () => 'a2')).resolves.toBe('a2');
      expect(recordedA.acquisitions).toBe(1);
      expect(recordedA.holds).toEqual([]);

      // B could not wait out A's linger: it is served because A let go when B wanted the lock.
      await expect(b.withEventLock(eventId, async () => 'b')).resolves.toBe('b');
      expect(recordedB.failures).toContain('contended');
      await until(() => recordedA.holds.length === 1, "A's hold to end");
      expect(recordedA.holds).toEqual([2]);
      expect(recordedA.failures).toEqual([]);
    } finally {
      a.close();
      b.close();
      await Promise.all([wakeupsA.close(), wakeupsB.close()]);
    }
  }, 60_000);
});
