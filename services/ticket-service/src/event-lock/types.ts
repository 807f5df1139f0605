// What the event lock gives its users (EventLocker, HeldLock) and tells its observer.

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
