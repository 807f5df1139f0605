// The one module that knows which Redlock library we use.
//
// Callers get `withEventLock(eventId, work)`: the work runs while this replica
// holds the event's lock on a majority of the Redis masters. Requests for one
// event first queue inside the replica, so only one of them per replica
// competes for the Redlock; a lock hold then serves every queued request it can
// while enough of the lease remains (one acquisition, one fencing epoch, many
// purchases). The lock is an efficiency device: safety comes from the Postgres
// fence, because a lease can expire under a pause without its holder noticing.
import { ExecutionError, Redlock, ResourceLockedError } from '@sesamecare-oss/redlock';
import type { Redis } from 'ioredis';

export interface LockSettings {
  ttlMs: number;
  retryCount: number;
  retryDelayMs: number;
  retryJitterMs: number;
  /** A job starts only while at least this much of the lease remains. */
  minValidityMs: number;
  /** Most jobs served by one lock hold before it is handed on. */
  maxJobsPerHold: number;
  /** Longest one hold keeps serving before it lets other replicas have a turn. */
  maxHoldMs: number;
  /** Longest a request waits in this replica's queue for its event. */
  queueTimeoutMs: number;
}

export const defaultLockSettings: LockSettings = {
  ttlMs: 3_000,
  retryCount: 100,
  retryDelayMs: 5,
  retryJitterMs: 10,
  minValidityMs: 1_000,
  maxJobsPerHold: 50,
  maxHoldMs: 250,
  queueTimeoutMs: 10_000,
};

export interface HeldLock {
  resource: string;
  /** The fencing token Postgres issued to this hold; writes are conditional on it. */
  epoch: bigint;
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
  failed(reason: 'contended' | 'quorum' | 'expired' | 'queue_timeout'): void;
  releaseFailed(err: unknown): void;
}

export interface EventLocker {
  withEventLock<T>(eventId: string, work: (lock: HeldLock) => Promise<T>): Promise<T>;
}

/** Issues the next fencing epoch for an event (an UPDATE … RETURNING in Postgres). */
export type TakeEpoch = (eventId: string) => Promise<bigint>;

export const eventLockKey = (eventId: string) => `lock:{evt:${eventId}}`;

interface Job {
  work: (lock: HeldLock) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  enqueuedAt: number;
}

export function createEventLocker(
  clients: Redis[],
  settings: LockSettings,
  observer: LockObserver,
  takeEpoch: TakeEpoch,
): EventLocker {
  const redlock = new Redlock(clients, {
    driftFactor: 0.01,
    retryCount: settings.retryCount,
    retryDelay: settings.retryDelayMs,
    retryJitter: settings.retryJitterMs,
    automaticExtensionThreshold: 0,
  });
  // Redlock reports errors of single nodes; only the quorum result counts.
  redlock.on('error', () => {});

  const queues = new Map<string, Job[]>();

  function failQueued(queue: Job[], err: unknown) {
    for (const job of queue.splice(0)) job.reject(err);
  }

  function dropTimedOut(queue: Job[]) {
    const now = performance.now();
    while (queue[0] && now - queue[0].enqueuedAt > settings.queueTimeoutMs) {
      observer.failed('queue_timeout');
      queue.shift()?.reject(new LockUnavailableError('the event is too busy; retry'));
    }
  }

  // Takes the lock, retrying for as long as other replicas merely hold it and
  // our oldest request has time left; fails at once when there is no quorum.
  async function acquire(eventId: string, queue: Job[]) {
    const resource = eventLockKey(eventId);
    const started = performance.now();
    for (;;) {
      try {
        const lock = await redlock.acquire([resource], settings.ttlMs);
        observer.acquired((performance.now() - started) / 1000);
        return lock;
      } catch (err) {
        const contended = await isContention(err);
        observer.failed(contended ? 'contended' : 'quorum');
        dropTimedOut(queue);
        if (contended && queue.length > 0) continue;
        throw new LockUnavailableError(
          contended ? `event ${eventId} is busy; retry` : 'lock quorum unavailable',
          {
            cause: err,
          },
        );
      }
    }
  }

  // Serves one event's queue until it is empty: each round takes the lock and a
  // new epoch, then runs queued jobs one after another while the lease allows.
  async function drain(eventId: string, queue: Job[]) {
    while (queue.length > 0) {
      dropTimedOut(queue);
      if (queue.length === 0) break;
      let lock: Awaited<ReturnType<Redlock['acquire']>>;
      let epoch: bigint;
      try {
        lock = await acquire(eventId, queue);
      } catch (err) {
        // The quorum is gone: the waiting requests fail fast rather than pile up.
        failQueued(queue, err);
        break;
      }
      if (queue.length === 0) {
        await release(lock, observer);
        break;
      }
      try {
        epoch = await takeEpoch(eventId);
      } catch (err) {
        await release(lock, observer);
        queue.shift()?.reject(err);
        continue;
      }
      const held: HeldLock = {
        resource: eventLockKey(eventId),
        epoch,
        expiresAt: lock.expiration,
        remainingMs: () => lock.expiration - Date.now(),
      };
      let served = 0;
      const heldSince = performance.now();
      while (
        queue.length > 0 &&
        served < settings.maxJobsPerHold &&
        (served === 0 || performance.now() - heldSince < settings.maxHoldMs)
      ) {
        if (held.remainingMs() < settings.minValidityMs) {
          if (served === 0) observer.failed('expired');
          break;
        }
        const job = queue.shift() as Job;
        served++;
        try {
          job.resolve(await job.work(held));
        } catch (err) {
          job.reject(err);
        }
      }
      await release(lock, observer);
    }
    queues.delete(eventId);
  }

  return {
    withEventLock<T>(eventId: string, work: (lock: HeldLock) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const job: Job = {
          work,
          resolve: resolve as (v: unknown) => void,
          reject,
          enqueuedAt: performance.now(),
        };
        const queue = queues.get(eventId);
        if (queue) {
          queue.push(job);
          return;
        }
        const fresh = [job];
        queues.set(eventId, fresh);
        void drain(eventId, fresh);
      });
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
