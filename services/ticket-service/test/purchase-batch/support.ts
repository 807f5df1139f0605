// Group commit under the event lock, on a replica whose statements and Redis commands
// are counted by the service's own metrics: what a purchase costs, and what the
// tests do to make requests queue behind one lock hold.
import { buildTestApp, createAdmin, type TestUser } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

// One batch of one-step purchases, when the replica's seat view has seen every
// change up to the holder's version (the usual case): one fenced write of every
// row (seats, orders, tickets, keys, operation log). When it has not, one read
// (event, named seats, best-N window) comes first.
export const BATCH_STATEMENTS = 1;
export const BATCH_WITH_READ = 2;
// Outside the lock, per purchase: nothing (the Idempotency-Key is stored with the
// order, in the round's statement). Per lock hold: nothing either (its first
// write takes the fencing epoch in the same statement).
export const PER_PURCHASE = 0;
export const PER_HOLD = 0;
// After the answers, outside the lock: one UPDATE records as captured every
// order of the replica whose capture finished within CAPTURE_MARK_DELAY_MS of
// the first (a batch's buyers, and the batches of those 100 ms, share it).
export const CAPTURE_MARKS = 1;
// Taking an event's lock: SET NX on three masters. A hold then lingers with the
// lock (this app's linger outlasts each test), so a replica's next purchases of
// the event take nothing; the release (three more, and the release hint on three
// when another replica asked for the lock) comes when the linger ends.
// Per batch: the seat change (PUBLISH) on one master (every replica listens on all).
export const REDIS_TO_TAKE_LOCK = 3;
export const REDIS_PER_BATCH = 1;
// Per order request, before anything else: the per-user order rate limit,
// counted on the first master (plugins/app/rate-limits.ts).
export const REDIS_PER_REQUEST = 1;

// Set by useBatchApp before the file's tests run; importers see the current values
// through the live bindings.
export let app: FastifyInstance;
export let admin: TestUser;

export function useBatchApp(): void {
  beforeAll(async () => {
    app = await buildTestApp({
      replicaId: 'batch',
      // Nothing runs in the background while statements are counted, and a lock
      // hold outlasts any pause of a loaded test machine.
      holdSweepIntervalMs: 3_600_000,
      seatViewMaxAgeMs: 3_600_000,
      lockTtlMs: 30_000,
      lockHoldMaxMs: 60_000,
      lockLingerMs: 60_000,
    });
    admin = await createAdmin(app);
  });
  afterEach(() => {
    app.faults.inCriticalSection = undefined;
  });
  afterAll(async () => {
    await app?.close();
  });
}

export async function counts() {
  const db = (await app.metrics.dbStatements.get()).values[0]?.value ?? 0;
  const redis = (await app.metrics.redisCommands.get()).values[0]?.value ?? 0;
  return { db, redis };
}

/** The counts once nothing more is sent (a lock release follows the answers). */
export async function settledCounts() {
  let last = await counts();
  // 300 ms of quiet: longer than a capture mark waits for company (100 ms).
  for (let quiet = 0; quiet < 15; ) {
    await new Promise((r) => setTimeout(r, 20));
    const now = await counts();
    quiet = now.db === last.db && now.redis === last.redis ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

export async function until(check: () => boolean) {
  for (let i = 0; i < 2_000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

/** Holds the next lock hold inside its critical section until `open()` is called. */
export function gate(server: FastifyInstance = app) {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let entered = false;
  server.faults.inCriticalSection = async () => {
    server.faults.inCriticalSection = undefined;
    entered = true;
    await opened;
  };
  return { open, entered: () => entered };
}

export const bigHall = {
  layout: { sections: [{ name: 'Stalls', rows: 4, seatsPerRow: 10, priceCents: 2500 }] },
};
