// How an event lock behaves: its lease, its rounds, its queue, how long it lingers.
// plugins/app/event-lock.ts fills these from the configuration.
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
