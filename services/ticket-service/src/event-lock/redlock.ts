// The one module that knows which Redlock library we use: one acquisition with
// its retries, one release. The lock is an efficiency device: safety comes from
// the Postgres fence (fence.ts), because a lease can expire under a pause
// without its holder noticing.
import { ExecutionError, Redlock, ResourceLockedError } from '@sesamecare-oss/redlock';
import type { Redis } from 'ioredis';
import { DeadlineError, withDeadline } from '../lib/deadline.ts';
import { LockUnavailableError } from './errors.ts';
import type { LockSettings } from './settings.ts';
import type { LockObserver } from './types.ts';
import type { LockWakeups } from './wakeups.ts';

export const eventLockKey = (eventId: string) => `lock:{evt:${eventId}}`;

/** A lease on one event's lock, as Redlock answers it. */
export type Lease = Awaited<ReturnType<Redlock['acquire']>>;

export interface Redlocks {
  /**
   * Takes the lock, retrying for as long as other replicas merely hold it and
   * `stillWanted()`; fails at once when there is no quorum.
   */
  acquire(eventId: string, stillWanted: () => boolean): Promise<Lease>;
  /** Releases a lease; `announce` runs once it is released. */
  release(lease: Lease, announce: () => void): Promise<void>;
}

export function createRedlocks(
  clients: Redis[],
  settings: LockSettings,
  observer: LockObserver,
  wakeups: LockWakeups,
): Redlocks {
  // One attempt per call: retries are ours, so that a release can wake them.
  const redlock = new Redlock(clients, {
    driftFactor: 0.01,
    retryCount: 0,
    automaticExtensionThreshold: 0,
  });
  // Redlock reports errors of single nodes; only the quorum result counts.
  redlock.on('error', () => {});

  const releaseLease = (lease: Lease, announce: () => void) =>
    release(lease, observer, announce, settings.redisTimeoutMs);

  async function acquire(eventId: string, stillWanted: () => boolean): Promise<Lease> {
    const resource = eventLockKey(eventId);
    const started = performance.now();
    for (;;) {
      try {
        const lock = await withDeadline(
          redlock.acquire([resource], settings.ttlMs),
          settings.redisTimeoutMs,
          'lock acquisition',
          // Taken after all, when nobody waits for it any more: given back.
          (late) => void releaseLease(late, () => wakeups.released(eventId)),
        );
        observer.acquired((performance.now() - started) / 1000);
        return lock;
      } catch (err) {
        const timedOut = err instanceof DeadlineError;
        const contended = timedOut || (await isContention(err, settings.retryDelayMs));
        observer.failed(timedOut ? 'timeout' : contended ? 'contended' : 'quorum');
        if (contended && stillWanted()) {
          // The holder may be lingering with an empty queue: it lets go when asked.
          wakeups.want(eventId);
          await wakeups.wait(eventId, settings.retryDelayMs + Math.random() * settings.retryJitterMs);
          if (stillWanted()) continue;
        }
        throw new LockUnavailableError(
          contended ? `event ${eventId} is busy; retry` : 'lock quorum unavailable',
          { cause: err },
        );
      }
    }
  }

  return { acquire, release: releaseLease };
}

// A failed release is harmless (the lease expires by itself) and never turns a
// finished purchase into a failure; nor does a master that never answers hold up
// the next hold for longer than `timeoutMs`.
async function release(
  lock: { release(): Promise<unknown> },
  observer: LockObserver,
  announce: () => void,
  timeoutMs: number,
): Promise<void> {
  try {
    await withDeadline(lock.release(), timeoutMs, 'lock release');
    announce();
  } catch (err) {
    observer.releaseFailed(err);
  }
}

/**
 * Contention: the nodes answered, but another holder had the key. The attempt's
 * statistics settle only when every node has answered, so a hung node must not
 * be awaited for long: past `patienceMs` the quorum's refusal counts as contention.
 */
async function isContention(err: unknown, patienceMs: number): Promise<boolean> {
  if (!(err instanceof ExecutionError) || err.attempts.length === 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const impatient = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), patienceMs);
  });
  const last = await Promise.race([err.attempts[err.attempts.length - 1], impatient]);
  clearTimeout(timer);
  if (last === 'hung') return true;
  if (!last) return false;
  const refusals = [...last.votesAgainst.values()].filter((e) => e instanceof ResourceLockedError).length;
  return last.votesFor.size + refusals >= last.quorumSize;
}
