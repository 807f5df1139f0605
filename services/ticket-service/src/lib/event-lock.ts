// The one module that knows which Redlock library we use. Callers get
// `withEventLock(eventId, work)`: the work runs while this replica holds the
// event's lock on a majority of the Redis masters. The lock is an efficiency
// device; safety comes from the Postgres fence (see domain code), because a
// lease can expire under a pause without its holder noticing.
import { ExecutionError, Redlock, ResourceLockedError } from '@sesamecare-oss/redlock';
import type { Redis } from 'ioredis';

export interface LockSettings {
  ttlMs: number;
  retryCount: number;
  retryDelayMs: number;
  retryJitterMs: number;
  /** Work starts only while at least this much of the lease remains. */
  minValidityMs: number;
}

export const defaultLockSettings: LockSettings = {
  ttlMs: 2_000,
  retryCount: 20,
  retryDelayMs: 10,
  retryJitterMs: 20,
  minValidityMs: 500,
};

export interface HeldLock {
  resource: string;
  /** Epoch milliseconds after which the lease may belong to someone else. */
  expiresAt: number;
  remainingMs(): number;
}

export class LockUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LockUnavailableError';
  }
}

export interface LockObserver {
  acquired(waitSeconds: number): void;
  failed(reason: 'contended' | 'quorum' | 'expired'): void;
  releaseFailed(err: unknown): void;
}

export interface EventLocker {
  withEventLock<T>(eventId: string, work: (lock: HeldLock) => Promise<T>): Promise<T>;
}

export const eventLockKey = (eventId: string) => `lock:{evt:${eventId}}`;

export function createEventLocker(
  clients: Redis[],
  settings: LockSettings,
  observer: LockObserver,
): EventLocker {
  const redlock = new Redlock(clients, {
    driftFactor: 0.01,
    retryCount: settings.retryCount,
    retryDelay: settings.retryDelayMs,
    retryJitter: settings.retryJitterMs,
    automaticExtensionThreshold: 0,
  });
  // Redlock emits errors from individual nodes; the quorum result is what counts.
  redlock.on('error', () => {});

  return {
    async withEventLock(eventId, work) {
      const resource = eventLockKey(eventId);
      const started = performance.now();
      let lock: Awaited<ReturnType<Redlock['acquire']>>;
      try {
        lock = await redlock.acquire([resource], settings.ttlMs);
      } catch (err) {
        const contended = await isContention(err);
        observer.failed(contended ? 'contended' : 'quorum');
        throw new LockUnavailableError(contended ? `event ${eventId} is busy` : 'lock quorum unavailable', {
          cause: err,
        });
      }
      const held: HeldLock = {
        resource,
        expiresAt: lock.expiration,
        remainingMs: () => lock.expiration - Date.now(),
      };
      if (held.remainingMs() < settings.minValidityMs) {
        observer.failed('expired');
        await release(lock, observer);
        throw new LockUnavailableError(`lock on event ${eventId} acquired too late`);
      }
      observer.acquired((performance.now() - started) / 1000);
      try {
        return await work(held);
      } finally {
        await release(lock, observer);
      }
    },
  };
}

// A failed release is harmless (the lease expires by itself) and never turns a
// finished purchase into a failure.
async function release(lock: { release(): Promise<unknown> }, observer: LockObserver): Promise<void> {
  try {
    await lock.release();
  } catch (err) {
    observer.releaseFailed(err);
  }
}

/** Contention: the nodes answered, but another holder had the key. */
async function isContention(err: unknown): Promise<boolean> {
  if (!(err instanceof ExecutionError) || err.attempts.length === 0) return false;
  const last = await err.attempts[err.attempts.length - 1];
  if (!last) return false;
  const refusals = [...last.votesAgainst.values()].filter((e) => e instanceof ResourceLockedError).length;
  return last.votesFor.size + refusals >= last.quorumSize;
}
