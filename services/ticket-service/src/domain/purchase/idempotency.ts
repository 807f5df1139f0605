// Idempotency-Key handling for purchases. A key is stored per user with a hash
// of the request, and the order and its key commit together or not at all:
//  - a one-step purchase stores its key with its order, in its batch's one
//    statement (sell-batch.ts); a key already stored leaves the request out of
//    the batch and it replays (`KeyUsed`, `storedOrderOf`);
//  - a hold order claims its key first and owns it for a lease
//    (`withClaimedKey`); its transaction completes the key.
// A second request with the same key:
//   - other body                      -> 409 IDEMPOTENCY_CONFLICT
//   - key completed                   -> the same order (replay)
//   - still in progress elsewhere     -> waits for it, then replays its order
//   - owner's lease ran out           -> takes the key over and does the work
import { createHash, randomUUID } from 'node:crypto';
import { LockUnavailableError } from '../../event-lock/errors.ts';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import { AppError } from '../errors.ts';

const LEASE_MS = 30_000;
const WAIT_MS = 15_000;

type IdempotencyStart = { kind: 'owner'; owner: string } | { kind: 'replay'; orderId: string };

export function requestHash(operation: string, target: string, body: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, target, canonical(body)]))
    .digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

interface KeyRow {
  request_hash: string;
  state: 'in_progress' | 'completed';
  order_id: string | null;
}

/**
 * A hold order under its Idempotency-Key: claims the key (one that names an order
 * already is answered by `replay`), runs `work` as the key's owner, and after a
 * failure frees the key or ends the lease (settleIdempotent).
 */
export async function withClaimedKey<T>(
  db: PrismaClient,
  userId: string,
  key: string,
  hash: string,
  on: { replay(orderId: string): Promise<T>; work(owner: string): Promise<T> },
): Promise<T> {
  const start = await beginIdempotent(db, userId, key, hash);
  if (start.kind === 'replay') return on.replay(start.orderId);
  try {
    return await on.work(start.owner);
  } catch (err) {
    // A lock that could not be taken means the transaction never ran: as
    // definite as a 4xx, so the key is freed and nothing stays written.
    const definite = (err instanceof AppError && err.status < 500) || err instanceof LockUnavailableError;
    await settleIdempotent(db, userId, key, start.owner, definite);
    throw err;
  }
}

async function beginIdempotent(
  db: PrismaClient,
  userId: string,
  key: string,
  hash: string,
): Promise<IdempotencyStart> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const owner = randomUUID();
    // One statement claims a new key or takes over one whose owner's lease ran
    // out (raw SQL: Prisma's upsert cannot make the update conditional).
    const claimed = await db.$queryRaw<{ owner: string }[]>(Prisma.sql`
      INSERT INTO idempotency_records AS r (user_id, key, request_hash, state, owner, lease_until)
      VALUES (${userId}::uuid, ${key}, ${hash}, 'in_progress', ${owner}, now() + ${LEASE_MS} * interval '1 millisecond')
      ON CONFLICT (user_id, key) DO UPDATE
         SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until, updated_at = now()
       WHERE r.state = 'in_progress' AND r.lease_until < now() AND r.request_hash = EXCLUDED.request_hash
      RETURNING owner`);
    if (claimed[0]?.owner === owner) return { kind: 'owner', owner };

    const [row] = await db.$queryRaw<KeyRow[]>(Prisma.sql`
      SELECT request_hash, state, order_id FROM idempotency_records
       WHERE user_id = ${userId}::uuid AND key = ${key}`);
    if (row) {
      if (row.request_hash !== hash) {
        throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was used for a different request.');
      }
      if (row.state === 'completed' && row.order_id) return { kind: 'replay', orderId: row.order_id };
    }
    if (Date.now() > deadline) {
      throw new AppError(
        'UNAVAILABLE',
        'A request with this Idempotency-Key is still in progress; retry later.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
  }
}

/** Inside the order's transaction: the key now names the order. */
export async function completeIdempotent(
  tx: Prisma.TransactionClient,
  userId: string,
  key: string,
  owner: string,
  orderId: string,
): Promise<void> {
  const done = await tx.$executeRaw(Prisma.sql`
    UPDATE idempotency_records SET state = 'completed', order_id = ${orderId}::uuid, updated_at = now()
     WHERE user_id = ${userId}::uuid AND key = ${key} AND owner = ${owner} AND state = 'in_progress'`);
  if (done !== 1) {
    // Our lease ran out and another request took the key over: it decides.
    throw new AppError('UNAVAILABLE', 'This purchase was taken over by a retry; retry with the same key.');
  }
}

/**
 * After a failure: a definite answer (4xx) frees the key so a retry runs again
 * and meets the same answer; an unknown outcome (5xx) only ends our lease, so a
 * retry may take over at once, and finds the order if the COMMIT did happen.
 */
async function settleIdempotent(
  db: PrismaClient,
  userId: string,
  key: string,
  owner: string,
  definite: boolean,
): Promise<void> {
  const where = Prisma.sql`user_id = ${userId}::uuid AND key = ${key} AND owner = ${owner} AND state = 'in_progress'`;
  try {
    if (definite) await db.$executeRaw(Prisma.sql`DELETE FROM idempotency_records WHERE ${where}`);
    else await db.$executeRaw(Prisma.sql`UPDATE idempotency_records SET lease_until = now() WHERE ${where}`);
  } catch {
    // The database is unreachable: the lease simply runs out.
  }
}

/**
 * A one-step purchase found its Idempotency-Key already used: by an earlier
 * request (whose order it replays) or by another request with another body
 * (409). Nothing of this request was written. `paymentRef` is the
 * authorization this request made, so that it can be voided if it is not the
 * one the stored order uses.
 */
export class KeyUsed extends Error {
  paymentRef?: string;
  constructor() {
    super('the Idempotency-Key was used by an earlier request');
    this.name = 'KeyUsed';
  }
}

/**
 * The order an earlier request with this key made. One-step purchases store a
 * key only together with their order; a key still in progress belongs to a hold
 * order under way, which is waited for.
 */
export async function storedOrderOf(
  db: PrismaClient,
  userId: string,
  key: string,
  hash: string,
): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const [row] = await db.$queryRaw<KeyRow[]>(Prisma.sql`
      SELECT request_hash, state, order_id FROM idempotency_records
       WHERE user_id = ${userId}::uuid AND key = ${key}`);
    if (row && row.request_hash !== hash) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was used for a different request.');
    }
    if (row?.state === 'completed' && row.order_id) return row.order_id;
    if (!row || Date.now() > deadline) {
      // Gone (its request failed and freed it) or still under way: either way, try again.
      throw new AppError(
        'UNAVAILABLE',
        'A request with this Idempotency-Key is still in progress; retry later.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
  }
}
