// "Has this buyer used this Idempotency-Key before?" Every refusal asks, because
// a retry of a purchase that went through must be replayed, not refused. In a
// surge most answers are refusals, so their questions go to PostgreSQL together,
// one statement for many (DataLoader batches them), the way the sale writer sends
// rounds: questions asked while this replica's previous refusal statement is on
// its way wait for it, and then go together. Under load a statement then carries
// what arrived during the one before (in a hot sale ~9 questions instead of the
// ~4 of one turn of the event loop); alone, a question goes at the end of the
// turn. (Past 1,000 waiting questions, the batches go one after another.)
//
// A round under the event lock asks too, when its write found keys used already;
// its questions never queue behind refusals' (the lock would be held meanwhile):
// they go at the end of the turn, in a statement of their own.
// Nothing is cached: a key unused now may be used a moment later.
import DataLoader from 'dataloader';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';

export interface UsedKeys {
  /** For a refusal: shares a statement with the other refusals' questions. */
  has(userId: string, key: string): Promise<boolean>;
  /** For a round under the event lock: never waits behind refusals' statements. */
  hasUnderLock(userId: string, key: string): Promise<boolean>;
}

interface KeyOfUser {
  userId: string;
  key: string;
}

// As large as a purchase round can be (PURCHASE_BATCH_MAX ≤ 1,000), whose keys are asked together.
const MAX_PER_STATEMENT = 1_000;

export function createUsedKeys(db: PrismaClient): UsedKeys {
  // One statement for a whole batch: pairs as two parallel arrays (raw SQL,
  // because Prisma's `findMany` has no composite-key IN list).
  async function lookup(asked: readonly KeyOfUser[]): Promise<boolean[]> {
    const rows = await db.$queryRaw<KeyOfUser[]>(Prisma.sql`
      SELECT r.user_id::text AS "userId", r.key
        FROM idempotency_records r
        JOIN unnest(${asked.map((a) => a.userId)}::uuid[], ${asked.map((a) => a.key)}::text[]) AS q(user_id, key)
          ON r.user_id = q.user_id AND r.key = q.key`);
    const used = new Set(rows.map((r) => `${r.userId} ${r.key}`));
    return asked.map((a) => used.has(`${a.userId} ${a.key}`));
  }
  // Requests arrive in separate I/O callbacks; DataLoader's default (after the
  // current tick) would send one statement per request.
  const atEndOfTurn = (send: () => void) => setImmediate(send);

  let inFlight = 0;
  // Batches that became ready while a refusal statement was on its way, oldest first.
  const ready: (() => void)[] = [];
  const refusals = new DataLoader<KeyOfUser, boolean>(
    async (asked) => {
      inFlight++;
      try {
        return await lookup(asked);
      } finally {
        inFlight--;
        if (inFlight === 0) ready.shift()?.();
      }
    },
    {
      cache: false,
      maxBatchSize: MAX_PER_STATEMENT,
      batchScheduleFn: (send) => (inFlight > 0 ? ready.push(send) : atEndOfTurn(send)),
    },
  );
  const rounds = new DataLoader<KeyOfUser, boolean>(lookup, {
    cache: false,
    maxBatchSize: MAX_PER_STATEMENT,
    batchScheduleFn: atEndOfTurn,
  });
  return {
    has: (userId, key) => refusals.load({ userId, key }),
    hasUnderLock: (userId, key) => rounds.load({ userId, key }),
  };
}
