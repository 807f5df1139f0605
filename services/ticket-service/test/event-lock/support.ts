// The event lock on its own (src/event-lock/) against the test run's three Redis
// masters: each file's clients, an observer that records what the lock reports, and
// fencing epochs counted in memory (Postgres issues them in the service).
import { randomUUID } from 'node:crypto';
import { testServices } from '@tickets/testkit/services';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { defaultLockSettings, type LockSettings } from '../../src/event-lock/settings.ts';
import type { LockFailure, LockObserver } from '../../src/event-lock/types.ts';
import type { LockWakeups } from '../../src/event-lock/wakeups.ts';
import { createRedisClients } from '../../src/plugins/external/redis.ts';

// Set by useRedisClients before the file's tests run; importers see the current value
// through the live binding.
export let clients: Redis[];

export function useRedisClients(): void {
  beforeAll(async () => {
    clients = createRedisClients(testServices().redisUrls);
    await Promise.all(clients.map(ready));
  });
  afterAll(() => {
    for (const c of clients ?? []) c.disconnect();
  });
}

export function ready(client: Redis): Promise<void> {
  return client.status === 'ready' ? Promise.resolve() : new Promise((r) => client.once('ready', () => r()));
}

/** An event of its own: the Redis masters are shared with the other test files of the run. */
export const newEventId = (tag: string) => `${tag}-${randomUUID()}`;

/**
 * Settings far from what a loaded machine could run out by accident: a lease and a
 * queue allowance of a minute, ten seconds for a Redis answer, so that only the
 * setting a test is about decides.
 */
export const patient = (overrides: Partial<LockSettings> = {}): LockSettings => ({
  ...defaultLockSettings,
  ttlMs: 60_000,
  queueTimeoutMs: 60_000,
  redisTimeoutMs: 10_000,
  ...overrides,
});

/** What a locker reported, in order. */
export interface Recorded {
  observer: LockObserver;
  acquisitions: number;
  failures: LockFailure[];
  batches: number[];
  /** The rounds of each hold that ended. */
  holds: number[];
}

export function recorder(): Recorded {
  const recorded: Recorded = {
    acquisitions: 0,
    failures: [],
    batches: [],
    holds: [],
    observer: {
      acquired: () => {
        recorded.acquisitions++;
      },
      failed: (reason) => {
        recorded.failures.push(reason);
      },
      releaseFailed: () => {},
      batch: (size) => {
        recorded.batches.push(size);
      },
      held: (_seconds, rounds) => {
        recorded.holds.push(rounds);
      },
    },
  };
  return recorded;
}

/** One replica alone: nobody who wants the lock; `onRelease` hears each announced release. */
export const noWakeups = (onRelease: () => void = () => {}): LockWakeups => ({
  released: onRelease,
  wait: (_eventId, ms) => new Promise((r) => setTimeout(r, ms)),
  want: () => {},
  onWanted: () => {},
  close: async () => {},
});

/** Fencing epochs counted in memory, one more for each hold that takes one. */
export const epochs = () => {
  let n = 0n;
  return async () => ({ epoch: ++n, version: 0 });
};

/** A promise settled from outside: a piece of work that runs until the test lets it finish. */
export function gate<T = void>() {
  let open!: (value: T) => void;
  const opened = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Waits for `check` (ten seconds at least): a condition the test needs before it goes on. */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}
