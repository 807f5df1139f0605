import { notFound } from '../domain/errors.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';

/**
 * Issues the next fencing epoch of an event. Committed on its own, so from this
 * moment every transaction of an older holder matches nothing (see fence.ts).
 */
export async function takeEpoch(
  db: PrismaClient,
  eventId: string,
): Promise<{ epoch: bigint; version: number }> {
  const rows = await db.$queryRaw<{ lock_epoch: bigint; seat_version: bigint }[]>(Prisma.sql`
    UPDATE events SET lock_epoch = lock_epoch + 1 WHERE id = ${eventId}::uuid
    RETURNING lock_epoch, seat_version`);
  const row = rows[0];
  if (!row) throw notFound('event');
  return { epoch: row.lock_epoch, version: Number(row.seat_version) };
}
