// The write of a purchase round, shared between events. A round is one event's
// batch (sell-batch.ts); a replica holds the locks of many events at once when a
// sale is spread over them, and each of their rounds is then often a single
// purchase. Sent one by one, every round costs a statement, a transaction and a
// commit, and a wake-up of PostgreSQL and of the replica: most of what such a
// purchase costs. So rounds are written the way purchases are batched under a
// lock: a round that is ready while this replica's previous call is still on
// its way waits for it, and then goes with every other round that waited, in
// ONE call (tickets_sell_rounds, migration 20261208000000). Alone, a round is
// sent at the end of the current turn of the event loop: nobody waits for
// company that is not coming.
//
// Each round keeps its own outcome, as each purchase does within a round: the
// call runs every round in a block of its own, so one round's refusal (a
// conflict, its event row locked past lock_timeout) rolls back that round only.
// What fails the whole call is what failed a round before: a lost connection,
// the statement's timeout. The rounds go in the order of their event ids, so
// two calls that lock the same event rows (a stale holder's and the new
// holder's) take them in the same order.
//
// The cost of sharing: a round waits for at most one call of other rounds
// before its own is sent, and a round whose event row is locked by a paused
// holder holds back the rounds of its call for up to lock_timeout. `inFlight`
// calls may be on their way at once (SALE_CALLS_IN_FLIGHT).
//
// Why raw SQL: Prisma cannot express per-row values through unnest, data-modifying
// CTEs or a statement-level assertion; the body lives in PL/pgSQL functions so
// that PostgreSQL plans it once per connection.

import { LockUnavailableError } from '../../event-lock/errors.ts';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import { AppError } from '../errors.ts';

/** Either the hold's epoch, or "take the next one if the event is at this version". */
export type Fence = { epoch: bigint } | { takeAt: number };

/** One event's round: its fence and the rows of its winners. */
export interface SaleRound {
  eventId: string;
  fence: Fence;
  createdAt: Date;
  seats: { id: string; orderId: string; priceCents: number }[];
  orders: {
    id: string;
    userId: string;
    totalCents: number;
    paymentRef: string;
    key: string;
    hash: string;
    email: string;
    /** The operation log's detail, as JSON. */
    detail: string;
  }[];
}

/** What the round's event looks like after the write. */
export interface Written {
  version: number;
  epoch: bigint;
  currency: string;
  title: string;
}

export type ConflictKind = 'closed' | 'seats' | 'keys' | 'limit';

/**
 * The write found the rows not as decided and wrote nothing: sales were closed,
 * a seat was not available, a key was stored already (by an earlier request), or
 * a buyer would have more seats than the event allows a customer.
 */
export class BatchConflict extends Error {
  readonly kind: ConflictKind;
  constructor(kind: ConflictKind) {
    super(`batch conflict: ${kind}`);
    this.kind = kind;
  }
  answer() {
    return new AppError(
      'UNAVAILABLE',
      'The event changed while the purchase was written; retry with the same key.',
    );
  }
}

export interface SaleWriter {
  /**
   * Writes the round: what it wrote, or undefined when the fence did not match
   * (nothing was written). Throws BatchConflict when the rows were not as
   * decided, LockUnavailableError when the round surely wrote nothing for
   * another reason (its event row stayed locked), anything else when the
   * outcome is unknown.
   */
  write(round: SaleRound): Promise<Written | undefined>;
  /** Rounds waiting for the call before theirs to come back. */
  queued(): number;
}

export interface SaleWriterSettings {
  /** Most rounds in one call. */
  maxRounds: number;
  /** Calls on their way at once. */
  inFlight: number;
}

export const defaultSaleWriterSettings: SaleWriterSettings = { maxRounds: 64, inFlight: 1 };

interface Pending {
  round: SaleRound;
  resolve(written: Written | undefined): void;
  reject(err: unknown): void;
}

type Row = {
  round: number;
  sold_version: bigint | null;
  sold_epoch: bigint | null;
  event_currency: string | null;
  event_title: string | null;
  conflict: string | null;
};

export function createSaleWriter(
  db: PrismaClient,
  replica: string,
  settings: SaleWriterSettings = defaultSaleWriterSettings,
  observe: (rounds: number) => void = () => {},
): SaleWriter {
  const waiting: Pending[] = [];
  let calls = 0;

  async function send(batch: Pending[]) {
    observe(batch.length);
    let rows: Row[];
    try {
      rows = await call(
        db,
        replica,
        batch.map((p) => p.round),
      );
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const row = rows.find((r) => r.round === i + 1);
      if (!row) p.reject(new Error('tickets_sell_rounds returned no row for a round'));
      else settle(p, row);
    });
  }

  async function loop() {
    try {
      while (waiting.length > 0) await send(waiting.splice(0, settings.maxRounds));
    } finally {
      calls--;
    }
  }

  return {
    write(round) {
      return new Promise((resolve, reject) => {
        waiting.push({ round, resolve, reject });
        if (calls < settings.inFlight) {
          calls++;
          // At the end of this turn of the event loop: the rounds that became
          // ready in the same turn (answers of one read from the network) go together.
          setImmediate(loop);
        }
      });
    },
    queued: () => waiting.length,
  };
}

function settle(p: Pending, row: Row) {
  switch (row.conflict) {
    case null:
      if (row.sold_version === null) return p.resolve(undefined);
      return p.resolve({
        version: Number(row.sold_version),
        epoch: row.sold_epoch as bigint,
        currency: row.event_currency as string,
        title: row.event_title as string,
      });
    case 'closed':
    case 'seats':
    case 'keys':
    case 'limit':
      return p.reject(new BatchConflict(row.conflict));
    default:
      // 'lock' or 'deadlock': the round's block was rolled back, nothing of it stays.
      return p.reject(
        new LockUnavailableError(`the event's row was busy in the database (${row.conflict}); retry`),
      );
  }
}

/** The rounds in one call, in the order of their event ids. */
async function call(db: PrismaClient, replica: string, unordered: SaleRound[]): Promise<Row[]> {
  const order = unordered.map((round, i) => ({ round, i }));
  order.sort((a, b) => (a.round.eventId < b.round.eventId ? -1 : a.round.eventId > b.round.eventId ? 1 : 0));
  const rounds = order.map((o) => o.round);
  let seatEnd = 0;
  let orderEnd = 0;
  const seatEnds = rounds.map((r) => (seatEnd += r.seats.length));
  const orderEnds = rounds.map((r) => (orderEnd += r.orders.length));
  const seats = rounds.flatMap((r) => r.seats);
  const orders = rounds.flatMap((r) => r.orders);
  const rows = await db.$queryRaw<Row[]>(Prisma.sql`
    SELECT round, sold_version, sold_epoch, event_currency, event_title, conflict
      FROM tickets_sell_rounds(
        ${rounds.map((r) => r.eventId)}::uuid[],
        ${rounds.map((r) => ('epoch' in r.fence ? r.fence.epoch : null))}::bigint[],
        ${rounds.map((r) => ('takeAt' in r.fence ? r.fence.takeAt : null))}::bigint[],
        ${replica}::text,
        ${rounds.map((r) => r.createdAt)}::timestamptz[],
        ${seatEnds}::int[], ${orderEnds}::int[],
        ${seats.map((s) => s.id)}::uuid[], ${seats.map((s) => s.orderId)}::uuid[],
        ${seats.map((s) => s.priceCents)}::int[],
        ${orders.map((o) => o.id)}::uuid[], ${orders.map((o) => o.userId)}::uuid[],
        ${orders.map((o) => o.totalCents)}::int[], ${orders.map((o) => o.paymentRef)}::text[],
        ${orders.map((o) => o.key)}::text[], ${orders.map((o) => o.hash)}::text[],
        ${orders.map((o) => o.email)}::text[], ${orders.map((o) => o.detail)}::text[])`);
  // Back to the callers' order.
  return rows.map((row) => ({ ...row, round: (order[row.round - 1]?.i ?? -1) + 1 }));
}
