// The Redlock quorum (src/event-lock/redlock.ts): two of three masters decide. With
// one master gone the lock works on; with two gone, every request waiting for the lock
// fails at once with the quorum's refusal, instead of waiting out its queue allowance.
import { freePort } from '@tickets/infra/free-port';
import { testServices } from '@tickets/testkit/services';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { LockUnavailableError } from '../../src/event-lock/errors.ts';
import { createEventLocker } from '../../src/event-lock/locker.ts';
import { eventLockKey } from '../../src/event-lock/redlock.ts';
import { createRedisClients } from '../../src/plugins/external/redis.ts';
import {
  clients,
  epochs,
  newEventId,
  noWakeups,
  patient,
  ready,
  recorder,
  until,
  useRedisClients,
} from './support.ts';

useRedisClients();

/** Clients of a replica of its own, for the test to cut off; the real masters' URLs unless given others. */
function ownClients(urls = testServices().redisUrls): Redis[] {
  const own = createRedisClients(urls);
  // A node that cannot be reached reports its errors here; the quorum decides.
  for (const c of own) c.on('error', () => {});
  return own;
}

describe('the lock without a quorum', () => {
  it('when one of the three masters cannot be reached, then the lock is taken from the other two', async () => {
    // The first master's place taken by a port nobody listens on.
    const [, ...reachable] = testServices().redisUrls;
    const own = ownClients([`redis://127.0.0.1:${await freePort()}`, ...reachable]);
    await Promise.all(own.slice(1).map(ready));
    const recorded = recorder();
    const locker = createEventLocker(own, patient({ lingerMs: 0 }), recorded.observer, epochs(), noWakeups());
    try {
      const epoch = await locker.withEventLock(newEventId('one-down'), async (lock) => {
        await lock.takeEpoch();
        return lock.epoch;
      });
      expect(epoch).toBe(1n);
      expect(recorded.failures).toEqual([]);
    } finally {
      locker.close();
      for (const c of own) c.disconnect();
    }
  });

  it('when two masters are lost while requests wait for a taken lock, then every waiting request fails with the quorum refusal, not its queue allowance', async () => {
    const eventId = newEventId('quorum-lost');
    const own = ownClients();
    await Promise.all(own.map(ready));
    const recorded = recorder();
    // Another replica holds the lock for a minute: the requests wait, retrying.
    await Promise.all(clients.map((c) => c.set(eventLockKey(eventId), 'another replica', 'PX', 60_000)));
    const locker = createEventLocker(own, patient(), recorded.observer, epochs(), noWakeups());
    try {
      const waiting = [1, 2, 3].map((i) =>
        locker
          .withEventLock(eventId, async () => `served ${i}`)
          .then(
            () => undefined,
            (err: unknown) => err,
          ),
      );
      await until(() => recorded.failures.includes('contended'), 'the requests to find the lock taken');
      expect(locker.queued()).toBe(3);

      for (const c of own.slice(0, 2)) c.disconnect();
      const refusals = await Promise.all(waiting);
      for (const refusal of refusals) {
        expect(refusal).toBeInstanceOf(LockUnavailableError);
        expect(String(refusal)).toMatch(/quorum unavailable/);
      }
      expect(recorded.failures).toContain('quorum');
      expect(recorded.failures).not.toContain('queue_timeout');
      expect(locker.queued()).toBe(0);
    } finally {
      locker.close();
      for (const c of own) c.disconnect();
      await Promise.all(clients.map((c) => c.del(eventLockKey(eventId))));
    }
  });
});
