// "Has this buyer used this Idempotency-Key before?" Every refusal asks, because
// a retry of a purchase that went through must be replayed, not refused. In a
// surge most answers are refusals, so the questions asked during one turn of the
// event loop go to PostgreSQL together, as one statement (DataLoader batches
// them). Nothing is cached: a key unused now may be used a moment later.
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
  const loader = new DataLoader<KeyOfUser, boolean>(
    async (asked) => {
      // One statement for the whole batch: pairs as two parallel arrays (raw SQL,
      // because Prisma's `findMany` has no composite-key IN list).
      const rows = await db.$queryRaw<KeyOfUser[]>(Prisma.sql`
        SELECT r.user_id::text AS "userId", r.key
          FROM idempotency_records r
          JOIN unnest(${asked.map((a) => a.userId)}::uuid[], ${asked.map((a) => a.key)}::text[]) AS q(user_id, key)
            ON r.user_id = q.user_id AND r.key = q.key`);
      const used = new Set(rows.map((r) => `${r.userId} ${r.key}`));
      return asked.map((a) => used.has(`${a.userId} ${a.key}`));
    },
    {
      cache: false,
      maxBatchSize: MAX_PER_STATEMENT,
      // Requests arrive in separate I/O callbacks of the same loop turn; the
      // default (after the current tick) would send one statement per request.
      batchScheduleFn: (send) => setImmediate(send),
    },
  );
  return { has: (userId, key) => loader.load({ userId, key }) };
}
