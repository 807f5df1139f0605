// Runs a seat-changing transaction the way docs/architecture.md's purchase path
// says: under the event's Redlock, in one transaction whose first statement proves
// that this replica still holds the newest fencing epoch. A holder whose lease ran
// out (pause, crash, clock jump) finds its epoch superseded, matches zero rows and
// is rolled back; the client hears 503 and may retry with the same key.
import type { SeatStatus } from '@tickets/contract/events';
import { recordAudit } from '../domain/audit/record.ts';
import { SYSTEM } from '../domain/context.ts';
import { AppError } from '../domain/errors.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { Faults, Step } from './faults.ts';
import type { EventLocker, HeldLock } from './types.ts';

export interface SeatChange {
  id: string;
  status: SeatStatus;
  /**
   * The customer whose order or active hold has the seat; null when it is
   * available. Replicas' seat views count each customer's seats from it (the
   * per-customer limit); the public stream leaves it out.
   */
  owner: string | null;
}

/** What a fenced transaction needs (the purchase context has it all). */
export interface FenceContext {
  db: PrismaClient;
  replica: string;
  locks: EventLocker;
  metrics: Pick<Metrics, 'fencedRejections'>;
  faults: Faults;
  publishSeats(eventId: string, version: number, changes: SeatChange[]): void;
}

export class FencedError extends Error {
  constructor(eventId: string, epoch: bigint) {
    super(`lock epoch ${epoch} of event ${eventId} is no longer current`);
    this.name = 'FencedError';
  }
}

export interface Fence {
  epoch: bigint;
  /** The event's seat version this transaction writes. */
  version: number;
  eventStatus: 'on_sale' | 'closed';
  currency: string;
  eventTitle: string;
  /** The event's per-customer limit, as stored when this transaction took the event row. */
  maxTicketsPerCustomer: number;
}

export interface FencedResult<T> {
  result: T;
  changes: SeatChange[];
}

async function checkFence(tx: Prisma.TransactionClient, eventId: string, epoch: bigint): Promise<Fence> {
  // Also takes the event row's lock until COMMIT, which orders every seat
  // transaction of this event in Postgres, whoever thinks it holds the Redlock.
  const rows = await tx.$queryRaw<
    {
      seat_version: bigint;
      status: 'on_sale' | 'closed';
      currency: string;
      title: string;
      max_tickets_per_customer: number;
    }[]
  >(
    Prisma.sql`UPDATE events SET seat_version = seat_version + 1
                WHERE id = ${eventId}::uuid AND lock_epoch = ${epoch}
                RETURNING seat_version, status, currency, title, max_tickets_per_customer`,
  );
  const row = rows[0];
  if (!row) throw new FencedError(eventId, epoch);
  return {
    epoch,
    version: Number(row.seat_version),
    eventStatus: row.status,
    currency: row.currency,
    eventTitle: row.title,
    maxTicketsPerCustomer: row.max_tickets_per_customer,
  };
}

/** A holder whose epoch was superseded: counted, logged, answered 503 (nothing was written). */
export async function fencedOut(
  ctx: FenceContext,
  eventId: string,
  epoch: bigint | undefined,
): Promise<AppError> {
  ctx.metrics.fencedRejections.inc();
  await recordAudit(ctx.db, ctx.replica, {
    actor: SYSTEM,
    action: 'lock.fenced',
    subject: `event:${eventId}`,
    detail: { epoch: epoch?.toString() ?? null },
  }).catch(() => {});
  return new AppError(
    'UNAVAILABLE',
    'The event lock was lost; nothing was written. Retry with the same key.',
  );
}

/**
 * One fenced transaction by a lock holder: the fence first, then `work`, then
 * the seat changes are published. A holder whose epoch was superseded writes
 * nothing and its callers hear 503 (retry with the same key).
 */
export async function fencedTransaction<T>(
  ctx: FenceContext,
  eventId: string,
  lock: HeldLock,
  work: (tx: Prisma.TransactionClient, fence: Fence) => Promise<FencedResult<T>>,
): Promise<T> {
  await lock.takeEpoch();
  await ctx.faults.inCriticalSection?.(eventId);
  let outcome: FencedResult<T> & { version: number };
  try {
    outcome = await ctx.db.$transaction(
      async (tx) => {
        const fence = await checkFence(tx, eventId, lock.epoch as bigint);
        await ctx.faults.inTransaction?.(eventId);
        const done = await work(tx, fence);
        return { ...done, version: fence.version };
      },
      { maxWait: 5_000, timeout: 10_000 },
    );
  } catch (err) {
    if (err instanceof FencedError) {
      lock.lost = true;
      throw await fencedOut(ctx, eventId, lock.epoch);
    }
    // A refusal rolled back and changed nothing. Anything else may have
    // committed unseen: the rest of this hold reads the database, not the view.
    if (!(err instanceof AppError && err.status < 500)) lock.version = Number.POSITIVE_INFINITY;
    throw err;
  }
  lock.version = outcome.version;
  // Published even when nothing changed: the version did grow, and clients that
  // see every version know they missed nothing.
  ctx.publishSeats(eventId, outcome.version, outcome.changes);
  return outcome.result;
}

/** A seat change on its own: waits its turn for the event lock, then one fenced transaction. */
export async function runFenced<T>(
  ctx: FenceContext,
  step: Step,
  eventId: string,
  work: (tx: Prisma.TransactionClient, fence: Fence) => Promise<FencedResult<T>>,
): Promise<T> {
  const result = await ctx.locks.withEventLock(eventId, (lock) =>
    fencedTransaction(ctx, eventId, lock, work),
  );
  ctx.faults.afterCommit?.(step);
  return result;
}
