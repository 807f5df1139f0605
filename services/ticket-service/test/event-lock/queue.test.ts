// An event's queue on one replica (src/event-lock/queue.ts) is bounded in wait and in
// length: beyond either a request is refused (LockUnavailableError, answered 503 with
// Retry-After) rather than kept waiting behind the others, and the hold serving the
// event goes on.
import { describe, expect, it } from 'vitest';
import { LockUnavailableError } from '../../src/event-lock/errors.ts';
import { createEventLocker } from '../../src/event-lock/locker.ts';
import {
  clients,
  epochs,
  gate,
  newEventId,
  noWakeups,
  patient,
  recorder,
  until,
  useRedisClients,
} from './support.ts';

useRedisClients();

describe('the queue of an event on one replica', () => {
  it('when a request waits longer than queueTimeoutMs, then it is refused with LockUnavailableError while the hold goes on', async () => {
    const eventId = newEventId('queue-timeout');
    const recorded = recorder();
    // The hold's lease lasts a minute, and it lingers for the next request as long; the
    // queue allows a fifth of a second.
    const locker = createEventLocker(
      clients,
      patient({ queueTimeoutMs: 200, lingerMs: 60_000 }),
      recorded.observer,
      epochs(),
      noWakeups(),
    );
    const started = gate();
    const finish = gate<string>();
    try {
      const first = locker.withEventLock(eventId, async () => {
        started.open();
        return finish.opened;
      });
      await started.opened;
      // The hold is busy with the first request until the test lets it finish.
      const waiting = locker.withEventLock(eventId, async () => 'never served');
      const refusal = await waiting.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refusal).toBeInstanceOf(LockUnavailableError);
      expect(String(refusal)).toMatch(/too busy/);
      expect(recorded.failures).toEqual(['queue_timeout']);
      expect(locker.queued()).toBe(0);

      // Refused while the first request still runs under the same hold, which then finishes it.
      finish.open('first');
      await expect(first).resolves.toBe('first');
      await expect(locker.withEventLock(eventId, async () => 'next')).resolves.toBe('next');
      expect(recorded.acquisitions).toBe(1);
    } finally {
      finish.open('first');
      locker.close();
    }
  });

  it('when the queue has maxQueue requests, then the next one is refused at once and the waiting ones are served', async () => {
    const eventId = newEventId('queue-full');
    const recorded = recorder();
    const locker = createEventLocker(
      clients,
      patient({ maxQueue: 3 }),
      recorded.observer,
      epochs(),
      noWakeups(),
    );
    const started = gate();
    const finish = gate();
    try {
      const first = locker.withEventLock(eventId, async () => {
        started.open();
        await finish.opened;
        return 'first';
      });
      await started.opened;
      const waiting = [1, 2, 3].map((i) => locker.withEventLock(eventId, async () => `waited ${i}`));
      expect(locker.queued()).toBe(3);
      // Refused while the hold is still busy with the first request: it waited for nothing.
      const refused = locker.withEventLock(eventId, async () => 'never served');
      await expect(refused).rejects.toBeInstanceOf(LockUnavailableError);
      await expect(refused).rejects.toThrow(/too many buyers/);
      expect(recorded.failures).toEqual(['queue_full']);
      expect(locker.queued()).toBe(3);

      finish.open();
      await expect(first).resolves.toBe('first');
      await expect(Promise.all(waiting)).resolves.toEqual(['waited 1', 'waited 2', 'waited 3']);
      await until(() => locker.queued() === 0, 'the queue to be empty');
      expect(recorded.failures).toEqual(['queue_full']);
    } finally {
      finish.open();
      locker.close();
    }
  });
});
