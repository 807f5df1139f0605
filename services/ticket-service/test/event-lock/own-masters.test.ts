// The event lock on its own (src/event-lock/), against Redis masters of this file's
// own (one of them is paused, which the run's shared masters must not be): a
// request that arrives while a hold is being released is still served, and a
// master that hangs (not down) while the lock is contended does not stop the event.
import { describe, expect, it } from 'vitest';
import { createEventLocker } from '../../src/event-lock/locker.ts';
import { eventLockKey } from '../../src/event-lock/redlock.ts';
import { defaultLockSettings } from '../../src/event-lock/settings.ts';
import { createLockWakeups } from '../../src/event-lock/wakeups.ts';
import { createRedisClients } from '../../src/plugins/external/redis.ts';
import { useOwnRedisMasters } from '../support/own-redis.ts';
import { epochs, noWakeups, recorder } from './support.ts';

const masters = useOwnRedisMasters(3, 'event-lock');

describe('event lock', () => {
  it('when a request arrives while a hold is being released, then it is served, not stranded', async () => {
    const eventId = `release-race-${Date.now()}`;
    let late: Promise<string> | undefined;
    // Clients of its own whose connections outlast the pause below (the shared
    // ones drop a master silent for 500 ms, which would break the next tests).
    const patient = createRedisClients(
      masters.servers.map((s) => s.url),
      5_000,
    );
    await Promise.all(
      patient.map((c) => (c.status === 'ready' ? undefined : new Promise((r) => c.once('ready', r)))),
    );
    const locker = createEventLocker(
      patient,
      // A queue allowance that a loaded machine cannot run out for the late
      // request, and a Redis deadline that never cuts the paused attempt short.
      { ...defaultLockSettings, queueTimeoutMs: 1_000, redisTimeoutMs: 10_000 },
      recorder().observer,
      epochs(),
      // The first release (of a hold whose only request timed out) is where a
      // new request lands: after the queue was seen empty, before the drain ends.
      noWakeups(() => {
        late ??= locker.withEventLock(eventId, async () => 'served');
      }),
    );
    // Two masters pause, so the first attempt at the lock is answered only after
    // the first request has waited its allowance and been told to retry; the lock is
    // then taken with nobody left to serve, and released.
    const paused = masters.servers.slice(0, 2).map((s) => s.pid);
    for (const pid of paused) process.kill(pid, 'SIGSTOP');
    const first = locker.withEventLock(eventId, async () => 'first');
    try {
      await expect(first).rejects.toThrow(/busy/);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      for (const pid of paused) process.kill(pid, 'SIGCONT');
    }
    for (let i = 0; i < 200 && !late; i++) await new Promise((r) => setTimeout(r, 10));
    expect(late).toBeDefined();
    await expect(late).resolves.toBe('served');
    expect(locker.queued()).toBe(0);
    locker.close();
    for (const c of patient) c.disconnect();
  });

  it('when one master hangs while the lock is contended, then the lock is taken as soon as the holder leaves', async () => {
    const eventId = `hung-master-${Date.now()}`;
    const locker = createEventLocker(
      masters.clients,
      { ...defaultLockSettings },
      recorder().observer,
      epochs(),
      noWakeups(),
    );
    // Two masters say "taken" for a while; the third does not answer at all.
    await Promise.all(
      masters.clients.slice(0, 2).map((c) => c.set(eventLockKey(eventId), 'someone', 'PX', 300)),
    );
    process.kill(masters.servers[2]?.pid as number, 'SIGSTOP');
    try {
      // Served by the two that answer once the other holder's key expired: a
      // request that waited out the queue's allowance would be refused instead.
      const epoch = locker.withEventLock(eventId, async (lock) => {
        await lock.takeEpoch();
        return lock.epoch;
      });
      await expect(epoch).resolves.toBe(1n);
    } finally {
      process.kill(masters.servers[2]?.pid as number, 'SIGCONT');
    }
  });

  it('when the queue runs empty, then the hold keeps the lock for the next request instead of taking it again', async () => {
    const eventId = `linger-${Date.now()}`;
    let acquisitions = 0;
    const locker = createEventLocker(
      masters.clients,
      { ...defaultLockSettings, lingerMs: 5_000 },
      { ...recorder().observer, acquired: () => acquisitions++ },
      epochs(),
      noWakeups(),
    );
    try {
      const first = await locker.withEventLock(eventId, async (lock) => {
        await lock.takeEpoch();
        return lock.epoch;
      });
      await new Promise((r) => setTimeout(r, 50));
      const second = await locker.withEventLock(eventId, async (lock) => {
        await lock.takeEpoch();
        return lock.epoch;
      });
      // One acquisition, one epoch: the same hold served both.
      expect(acquisitions).toBe(1);
      expect(second).toBe(first);
    } finally {
      locker.close();
    }
  });

  it('when another replica wants a lingering lock, then the holder lets go at once, not when its lease runs low', async () => {
    const eventId = `wanted-${Date.now()}`;
    const settings = { ...defaultLockSettings, ttlMs: 20_000, minValidityMs: 1_000, lingerMs: 15_000 };
    const wakeupsA = createLockWakeups(masters.clients, () => {});
    const wakeupsB = createLockWakeups(masters.clients, () => {});
    const a = createEventLocker(masters.clients, settings, recorder().observer, epochs(), wakeupsA);
    const b = createEventLocker(
      masters.clients,
      { ...settings, queueTimeoutMs: 10_000 },
      recorder().observer,
      epochs(),
      wakeupsB,
    );
    try {
      // Subscriptions settle before the race starts.
      await new Promise((r) => setTimeout(r, 100));
      await a.withEventLock(eventId, async () => 'a');
      // A lingers now (up to 15 s). B asks for the lock; without the "wanted"
      // message it would wait out the linger.
      const started = Date.now();
      await expect(b.withEventLock(eventId, async () => 'b')).resolves.toBe('b');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      a.close();
      b.close();
      await Promise.all([wakeupsA.close(), wakeupsB.close()]);
    }
  });

  it('when the locker closes, then a lingering hold releases its lock', async () => {
    const eventId = `close-${Date.now()}`;
    const locker = createEventLocker(
      masters.clients,
      { ...defaultLockSettings, lingerMs: 5_000 },
      recorder().observer,
      epochs(),
      noWakeups(),
    );
    await locker.withEventLock(eventId, async () => 'served');
    // Lingering: the key is still set on the masters.
    expect(await masters.clients[0]?.exists(eventLockKey(eventId))).toBe(1);
    locker.close();
    for (let i = 0; i < 100 && (await masters.clients[0]?.exists(eventLockKey(eventId))) === 1; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await masters.clients[0]?.exists(eventLockKey(eventId))).toBe(0);
  });

  it('when a replica runs with a clock skew (fault injection), then it believes its lease lasts that much longer', async () => {
    const skewed = createEventLocker(
      masters.clients,
      { ...defaultLockSettings, ttlMs: 1_000, clockSkewMs: 60_000, lingerMs: 0 },
      recorder().observer,
      epochs(),
      noWakeups(),
    );
    const remaining = await skewed.withEventLock(`skew-${Date.now()}`, async (lock) => lock.remainingMs());
    expect(remaining).toBeGreaterThan(60_000);
  });
});
