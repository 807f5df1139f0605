// The per-event lock of a replica. Requests for one event first queue inside the
// replica (queue.ts), so only one of them per replica competes for the Redlock
// (redlock.ts). A lock hold then serves the queue in rounds: each round takes
// everything queued (up to `maxBatch`) and runs it (rounds.ts). Requests that
// arrive during a round wait for the next one: group commit. When the queue runs
// empty the hold lingers (`lingerMs`) so that the replica's next requests find the
// lock already taken: a lock acquisition and release cost six Redis commands and a
// hold often serves one or two purchases of an event that is selling but not hot.
// The hold ends when it lingered in vain, when too little lease is left, or, once
// it has lasted `maxHoldMs`, when another replica wants the lock (it says so over
// pub/sub, wakeups.ts).
//
// The lock is an efficiency device: safety comes from the Postgres fence
// (fence.ts), because a lease can expire under a pause without its holder noticing.
import type { Redis } from 'ioredis';
import { heldLock } from './held-lock.ts';
import { createEventQueues, type Job } from './queue.ts';
import { createRedlocks, type Lease } from './redlock.ts';
import { serveRound } from './rounds.ts';
import type { LockSettings } from './settings.ts';
import type { BatchRun, EventLocker, HeldLock, LockObserver, TakeEpoch } from './types.ts';
import type { LockWakeups } from './wakeups.ts';

/** A hold this replica has now: whether another replica wants the lock, and how to wake it while it lingers. */
interface Hold {
  wanted: boolean;
  wake?: () => void;
}

export function createEventLocker(
  clients: Redis[],
  settings: LockSettings,
  observer: LockObserver,
  takeEpoch: TakeEpoch,
  wakeups: LockWakeups,
): EventLocker {
  const redlocks = createRedlocks(clients, settings, observer, wakeups);
  const queues = createEventQueues(settings, observer);
  const holds = new Map<string, Hold>();
  let closing = false;
  wakeups.onWanted((eventId) => {
    const hold = holds.get(eventId);
    if (!hold) return;
    hold.wanted = true;
    hold.wake?.();
  });

  // Serves one event's queue until it is empty: each hold takes the lock and a
  // new epoch, then serves rounds while the lease and the hold time allow.
  async function drain(eventId: string, queue: Job[]) {
    try {
      await holdWhileQueued(eventId, queue);
    } finally {
      // Nothing between the last look at the queue and this is awaited, so a
      // request that arrives later finds no queue and starts a drain of its own.
      if (queue.length > 0) void drain(eventId, queue);
      else queues.forget(eventId);
    }
  }

  async function holdWhileQueued(eventId: string, queue: Job[]) {
    while (queue.length > 0) {
      let lease: Lease;
      try {
        lease = await redlocks.acquire(eventId, () => queue.length > 0);
      } catch (err) {
        // The quorum is gone: the waiting requests fail fast rather than pile up.
        queues.failAll(queue, err);
        return;
      }
      if (queue.length === 0) {
        // Everyone waiting timed out meanwhile; a request may arrive during the release.
        await redlocks.release(lease, () => wakeups.released(eventId));
        continue;
      }
      const held = heldLock(eventId, lease, settings, takeEpoch);
      const hold: Hold = { wanted: false };
      holds.set(eventId, hold);
      const heldSince = performance.now();
      let rounds = 0;
      try {
        rounds = await serveRounds(hold, held, queue, heldSince);
      } finally {
        holds.delete(eventId);
      }
      // Only a replica that said it wants the lock waits for the release message;
      // one whose message was lost retries on its timer anyway.
      await redlocks.release(lease, () => (hold.wanted ? wakeups.released(eventId) : undefined));
      observer.held?.((performance.now() - heldSince) / 1000, rounds);
      // Work is left because another replica wanted the lock: step back for a
      // moment so that the replica woken by the release can take its turn.
      if (queue.length > 0 && hold.wanted) await new Promise((r) => setTimeout(r, 1 + Math.random() * 2));
    }
  }

  /** The rounds of one hold, until it lingered in vain, ran short of lease, had its share or was fenced out. */
  async function serveRounds(hold: Hold, held: HeldLock, queue: Job[], heldSince: number): Promise<number> {
    let rounds = 0;
    for (;;) {
      if (queue.length === 0 && !(await linger(hold, held, queue))) break;
      // Another replica waits: it gets its turn once this hold had its share.
      if (hold.wanted && rounds > 0 && performance.now() - heldSince >= settings.maxHoldMs) break;
      if (held.remainingMs() < settings.minValidityMs) {
        if (rounds === 0) observer.failed('expired');
        break;
      }
      rounds++;
      await serveRound(queues.take(queue, settings.maxBatch), held, observer);
      // Fenced out: another holder has the event; this hold serves nobody more.
      if (held.lost) break;
    }
    return rounds;
  }

  // Keeps the lock while the queue is empty, for at most `lingerMs` and only while
  // the lease would still allow a round. True when a request came meanwhile.
  async function linger(hold: Hold, held: HeldLock, queue: Job[]): Promise<boolean> {
    const ms = Math.min(settings.lingerMs, held.remainingMs() - settings.minValidityMs);
    if (hold.wanted || closing || held.lost || ms <= 0) return false;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        hold.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      hold.wake = done;
    });
    return queue.length > 0;
  }

  function enqueue(eventId: string, job: Job) {
    const queued = queues.add(eventId, job);
    if (queued === 'joined') holds.get(eventId)?.wake?.();
    else if (queued !== 'refused') void drain(eventId, queued);
  }

  return {
    withEventLock<T>(eventId: string, work: (lock: HeldLock) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        enqueue(eventId, { work, resolve: resolve as (v: unknown) => void, reject });
      });
    },
    inBatch<I, T>(eventId: string, kind: string, item: I, run: BatchRun<I, T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        enqueue(eventId, {
          kind,
          item,
          run: run as BatchRun<unknown, unknown>,
          resolve: resolve as (v: unknown) => void,
          reject,
        });
      });
    },
    queued: () => queues.waiting(),
    close() {
      closing = true;
      for (const hold of holds.values()) hold.wake?.();
    },
  };
}
