// "Has this buyer used this Idempotency-Key before?" Every refusal asks, because
// a retry of a purchase that went through must be replayed, not refused. In a
// surge most answers are refusals, so the questions go to PostgreSQL together,
// one statement for many (DataLoader batches them), the way the sale writer
// sends rounds: a question asked while this replica's previous statement is on
// its way waits for it, and then goes with every other question that waited.
// Alone, a question goes at the end of the current turn of the event loop.
// Under load the batches grow with the statement's own round trip instead of
// being cut at every turn (in a hot sale, ~4 questions per turn), and a refusal
// waits at most one statement longer than it would on an idle replica.
// Nothing is cached: a key unused now may be used a moment later.
import DataLoader from 'dataloader';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';

export interface UsedKeys {
  has(userId: string, key: string): Promise<boolean>;
}

interface KeyOfUser {
  userId: string;
  key: string;
}

// As large as a purchase round can be (PURCHASE_BATCH_MAX ≤ 1,000), whose keys are asked together.
const MAX_PER_STATEMENT = 1_000;

export function createUsedKeys(db: PrismaClient): UsedKeys {
  let inFlight = false;
  // Batches that became ready while a statement was on its way, oldest first
  // (more than one only when a batch filled up to MAX_PER_STATEMENT).
  const ready: (() => void)[] = [];
  const loader = new DataLoader<KeyOfUser, boolean>(
    async (asked) => {
      inFlight = true;
      try {
        // One statement for the whole batch: pairs as two parallel arrays (raw SQL,
        // because Prisma's `findMany` has no composite-key IN list).
        const rows = await db.$queryRaw<KeyOfUser[]>(Prisma.sql`
          SELECT r.user_id::text AS "userId", r.key
            FROM idempotency_records r
            JOIN unnest(${asked.map((a) => a.userId)}::uuid[], ${asked.map((a) => a.key)}::text[]) AS q(user_id, key)
              ON r.user_id = q.user_id AND r.key = q.key`);
        const used = new Set(rows.map((r) => `${r.userId} ${r.key}`));
        return asked.map((a) => used.has(`${a.userId} ${a.key}`));
      } finally {
        inFlight = false;
        ready.shift()?.();
      }
    },
    {
      cache: false,
      maxBatchSize: MAX_PER_STATEMENT,
      // Requests arrive in separate I/O callbacks; DataLoader's default (after
      // the current tick) would send one statement per request.
      batchScheduleFn: (send) => {
        if (inFlight) ready.push(send);
        else setImmediate(send);
      },
    },
  );
  return { has: (userId, key) => loader.load({ userId, key }) };
}
