// The one module that knows which Redlock library we use.
//
// Requests for one event first queue inside the replica, so only one of them per
// replica competes for the Redlock. A lock hold then serves the queue in rounds:
// each round takes everything queued (up to `maxBatch`) and runs it — requests
// of the same batch kind together in ONE call (one transaction, see
// domain/purchase/sell-batch.ts), other work one job at a time. Requests that
// arrive during a round wait for the next one: group commit. When the queue runs
// empty the hold lingers (`lingerMs`) so that the replica's next requests find the
// lock already taken: a lock acquisition and release cost six Redis commands and a
// hold often serves one or two purchases of an event that is selling but not hot.
// The hold ends when it lingered in vain, when too little lease is left, or, once
// it has lasted `maxHoldMs`, when another replica wants the lock (it says so over
// pub/sub, lib/lock-wakeups.ts).
//
// The queue is bounded in length and in wait: beyond either, a request is
// refused at once (LockUnavailableError, answered 503 + Retry-After) instead of
// waiting behind thousands of others.
//
// The lock is an efficiency device: safety comes from the Postgres fence,
// because a lease can expire under a pause without its holder noticing.
import { ExecutionError, Redlock, ResourceLockedError } from '@sesamecare-oss/redlock';
import type { Redis } from 'ioredis';
import { DeadlineError, withDeadline } from './deadline.ts';
import type { LockWakeups } from './lock-wakeups.ts';

export interface LockSettings {
  ttlMs: number;
  /** Longest a replica waits before trying a taken lock again (a release wakes it sooner). */
  retryDelayMs: number;
  retryJitterMs: number;
  /** A round starts only while at least this much of the lease remains. */
  minValidityMs: number;
  /** Most requests one round (one batch transaction) takes from the queue. */
  maxBatch: number;
  /** Longest one hold keeps serving before it lets a replica that wants the lock have a turn. */
  maxHoldMs: number;
  /** How long a hold keeps the lock after its queue ran empty, waiting for more (0: no wait). */
  lingerMs: number;
  /**
   * Fault injection: added to every lease's end as this replica sees it, as if
   * its clock ran behind (0 in production; see LOCK_CLOCK_SKEW_MS).
   */
  clockSkewMs: number;
  /** Longest a request waits in this replica's queue for its event. */
  queueTimeoutMs: number;
  /** Most requests one event may have waiting on this replica. */
  maxQueue: number;
  /**
   * Longest one acquisition or release is awaited (REDIS_COMMAND_TIMEOUT_MS). A
   * hung master can leave a vote open (one master for, one against): past this
   * the attempt counts as contended and is tried again.
   */
  redisTimeoutMs: number;
}

export const defaultLockSettings: LockSettings = {
  ttlMs: 3_000,
  retryDelayMs: 20,
  retryJitterMs: 20,
  minValidityMs: 1_000,
  maxBatch: 200,
  maxHoldMs: 250,
  lingerMs: 1_000,
  clockSkewMs: 0,
  queueTimeoutMs: 2_000,
  maxQueue: 2_000,
  redisTimeoutMs: 500,
};

export interface HeldLock {
  resource: string;
  /**
   * The fencing token Postgres issued to this hold; writes are conditional on
   * it. Taken lazily: by the hold's first purchase write (in the same statement)
   * or by `takeEpoch()`. Undefined until then.
   */
  epoch: bigint | undefined;
  /**
   * The event's seat version as this holder last saw it committed: issued with
   * the epoch, then moved on by each of the hold's own writes. While the lock
   * holds, nobody else changes the event's seats.
   */
  version: number;
  /** Takes the next epoch in a statement of its own, unless this hold has one. */
  takeEpoch(): Promise<void>;
  /** Set by the work when Postgres fenced this holder out: the hold ends. */
  lost: boolean;
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

export type LockFailure = 'contended' | 'timeout' | 'quorum' | 'expired' | 'queue_timeout' | 'queue_full';

export interface LockObserver {
  acquired(waitSeconds: number): void;
  failed(reason: LockFailure): void;
  releaseFailed(err: unknown): void;
  /** One round of a hold: how many requests it served together, and how long it took. */
  batch?(size: number, seconds: number): void;
  /** One whole hold, from the lock taken to its release. */
  held?(seconds: number, rounds: number): void;
}

/** The outcome of one item of a batch: each item succeeds or fails on its own. */
export type ItemOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Runs a whole batch under the lock; a throw fails every item of it. */
export type BatchRun<I, T> = (lock: HeldLock, items: I[]) => Promise<ItemOutcome<T>[]>;

export interface EventLocker {
  /** Runs `work` alone under the event's lock. */
  withEventLock<T>(eventId: string, work: (lock: HeldLock) => Promise<T>): Promise<T>;
  /** Queues `item`; queued items of the same `kind` are run together by `run`. */
  inBatch<I, T>(eventId: string, kind: string, item: I, run: BatchRun<I, T>): Promise<T>;
  /** Requests waiting on this replica, over all events (for metrics). */
  queued(): number;
  /** Ends lingering holds (releases their locks) and lets no hold linger again: for shutdown. */
  close(): void;
}

/** Issues the next fencing epoch for an event (an UPDATE … RETURNING in Postgres), with its seat version. */
export type TakeEpoch = (eventId: string) => Promise<{ epoch: bigint; version: number }>;

export const eventLockKey = (eventId: string) => `lock:{evt:${eventId}}`;

interface Job {
  /** Set for batched jobs; jobs of one kind share a round. */
  kind?: string;
  item?: unknown;
  run?: BatchRun<unknown, unknown>;
  work?: (lock: HeldLock) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  timer?: NodeJS.Timeout;
}

export function createEventLocker(
  clients: Redis[],
  settings: LockSettings,
  observer: LockObserver,
  takeEpoch: TakeEpoch,
  wakeups: LockWakeups,
): EventLocker {
  // One attempt per call: retries are ours, so that a release can wake them.
  const redlock = new Redlock(clients, {
    driftFactor: 0.01,
    retryCount: 0,
    automaticExtensionThreshold: 0,
  });
  // Redlock reports errors of single nodes; only the quorum result counts.
  redlock.on('error', () => {});

  const queues = new Map<string, Job[]>();
  let waiting = 0;
  // The holds this replica has now, by event: whether another replica wants the
  // lock, and how to wake the hold while it lingers.
  const holds = new Map<string, { wanted: boolean; wake?: () => void }>();
  let closing = false;
  wakeups.onWanted((eventId) => {
    const hold = holds.get(eventId);
    if (!hold) return;
    hold.wanted = true;
    hold.wake?.();
  });

  function take(queue: Job[], max: number): Job[] {
    const jobs = queue.splice(0, max);
    waiting -= jobs.length;
    for (const job of jobs) clearTimeout(job.timer);
    return jobs;
  }

  function failQueued(queue: Job[], err: unknown) {
    for (const job of take(queue, queue.length)) job.reject(err);
  }

  // Takes the lock, retrying for as long as other replicas merely hold it and
  // requests are still waiting; fails at once when there is no quorum.
  async function acquire(eventId: string, queue: Job[]) {
    const resource = eventLockKey(eventId);
    const started = performance.now();
    for (;;) {
      try {
        const lock = await withDeadline(
          redlock.acquire([resource], settings.ttlMs),
          settings.redisTimeoutMs,
          'lock acquisition',
          // Taken after all, when nobody waits for it any more: given back.
          (late) => void release(late, observer, () => wakeups.released(eventId), settings.redisTimeoutMs),
        );
        observer.acquired((performance.now() - started) / 1000);
        return lock;
      } catch (err) {
        const timedOut = err instanceof DeadlineError;
        const contended = timedOut || (await isContention(err, settings.retryDelayMs));
        observer.failed(timedOut ? 'timeout' : contended ? 'contended' : 'quorum');
        if (contended && queue.length > 0) {
          // The holder may be lingering with an empty queue: it lets go when asked.
          wakeups.want(eventId);
          await wakeups.wait(eventId, settings.retryDelayMs + Math.random() * settings.retryJitterMs);
          if (queue.length > 0) continue;
        }
        throw new LockUnavailableError(
          contended ? `event ${eventId} is busy; retry` : 'lock quorum unavailable',
          { cause: err },
        );
      }
    }
  }

  async function serve(jobs: Job[], held: HeldLock) {
    const batches = new Map<string, Job[]>();
    const singles: Job[] = [];
    for (const job of jobs) {
      if (job.kind === undefined) singles.push(job);
      else batches.set(job.kind, [...(batches.get(job.kind) ?? []), job]);
    }
    for (const group of batches.values()) {
      const started = performance.now();
      let settle: () => void;
      try {
        const run = group[0]?.run as BatchRun<unknown, unknown>;
        const outcomes = await run(
          held,
          group.map((j) => j.item),
        );
        settle = () =>
          group.forEach((job, i) => {
            const outcome = outcomes[i];
            if (!outcome) job.reject(new Error('batch returned no outcome for an item'));
            else if (outcome.ok) job.resolve(outcome.value);
            else job.reject(outcome.error);
          });
      } catch (err) {
        settle = () => {
          for (const job of group) job.reject(err);
        };
      }
      observer.batch?.(group.length, (performance.now() - started) / 1000);
      // The answers (capture, response) are written after the next round has
      // been sent on its way, not before: the lock is not held up by them.
      setImmediate(settle);
    }
    for (const job of singles) {
      try {
        job.resolve(await job.work?.(held));
      } catch (err) {
        job.reject(err);
      }
    }
  }

  // Serves one event's queue until it is empty: each hold takes the lock and a
  // new epoch, then serves rounds while the lease and the hold time allow.
  async function drain(eventId: string, queue: Job[]) {
    try {
      await holdWhileQueued(eventId, queue);
    } finally {
      // Nothing between the last look at the queue and this is awaited, so a
      // request that arrives later finds no queue and starts a drain of its own.
      if (queue.length > 0) void drain(eventId, queue);
      else queues.delete(eventId);
    }
  }

  async function holdWhileQueued(eventId: string, queue: Job[]) {
    while (queue.length > 0) {
      let lock: Awaited<ReturnType<Redlock['acquire']>>;
      try {
        lock = await acquire(eventId, queue);
      } catch (err) {
        // The quorum is gone: the waiting requests fail fast rather than pile up.
        failQueued(queue, err);
        return;
      }
      if (queue.length === 0) {
        // Everyone waiting timed out meanwhile; a request may arrive during the release.
        await release(lock, observer, () => wakeups.released(eventId), settings.redisTimeoutMs);
        continue;
      }
      const held: HeldLock = {
        resource: eventLockKey(eventId),
        epoch: undefined,
        version: Number.NaN,
        lost: false,
        expiresAt: lock.expiration + settings.clockSkewMs,
        remainingMs: () => lock.expiration + settings.clockSkewMs - Date.now(),
        async takeEpoch() {
          if (held.epoch !== undefined) return;
          // A holder whose lease ran out must not claim a new epoch: it would
          // fence out the replica that now holds the lock.
          if (held.remainingMs() < settings.minValidityMs) {
            held.lost = true;
            throw new LockUnavailableError('the event lock ran out; retry');
          }
          try {
            const taken = await takeEpoch(eventId);
            held.epoch = taken.epoch;
            held.version = taken.version;
          } catch (err) {
            // Nothing ran: as definite as a refusal (payments are voided, keys freed).
            throw new LockUnavailableError('the fencing epoch could not be taken; retry', { cause: err });
          }
        },
      };
      const hold: { wanted: boolean; wake?: () => void } = { wanted: false };
      holds.set(eventId, hold);
      const heldSince = performance.now();
      let rounds = 0;
      try {
        for (;;) {
          if (queue.length === 0 && !(await linger(hold, held, queue))) break;
          // Another replica waits: it gets its turn once this hold had its share.
          if (hold.wanted && rounds > 0 && performance.now() - heldSince >= settings.maxHoldMs) break;
          if (held.remainingMs() < settings.minValidityMs) {
            if (rounds === 0) observer.failed('expired');
            break;
          }
          rounds++;
          await serve(take(queue, settings.maxBatch), held);
          // Fenced out: another holder has the event; this hold serves nobody more.
          if (held.lost) break;
        }
      } finally {
        holds.delete(eventId);
      }
      // Only a replica that said it wants the lock waits for the release message;
      // one whose message was lost retries on its timer anyway.
      await release(
        lock,
        observer,
        () => (hold.wanted ? wakeups.released(eventId) : undefined),
        settings.redisTimeoutMs,
      );
      observer.held?.((performance.now() - heldSince) / 1000, rounds);
      // Work is left because another replica wanted the lock: step back for a
      // moment so that the replica woken by the release can take its turn.
      if (queue.length > 0 && hold.wanted) await new Promise((r) => setTimeout(r, 1 + Math.random() * 2));
    }
  }

  // Keeps the lock while the queue is empty, for at most `lingerMs` and only while
  // the lease would still allow a round. True when a request came meanwhile.
  async function linger(
    hold: { wanted: boolean; wake?: () => void },
    held: HeldLock,
    queue: Job[],
  ): Promise<boolean> {
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
    let queue = queues.get(eventId);
    if (queue && queue.length >= settings.maxQueue) {
      observer.failed('queue_full');
      job.reject(new LockUnavailableError('too many buyers are waiting for this event; retry'));
      return;
    }
    // A request that waited its whole allowance is answered now, not when the
    // lock finally comes round.
    job.timer = setTimeout(() => {
      const q = queues.get(eventId);
      const at = q?.indexOf(job) ?? -1;
      if (!q || at < 0) return;
      q.splice(at, 1);
      waiting--;
      observer.failed('queue_timeout');
      job.reject(new LockUnavailableError('the event is too busy; retry'));
    }, settings.queueTimeoutMs);
    waiting++;
    if (queue) {
      queue.push(job);
      holds.get(eventId)?.wake?.();
      return;
    }
    queue = [job];
    queues.set(eventId, queue);
    void drain(eventId, queue);
  }

  return {
    withEventLock<T>(eventId: string, work: (lock: HeldLock) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        enqueue(eventId, {
          work,
          resolve: resolve as (v: unknown) => void,
          reject,
        });
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
    queued: () => waiting,
    close() {
      closing = true;
      for (const hold of holds.values()) hold.wake?.();
    },
  };
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
