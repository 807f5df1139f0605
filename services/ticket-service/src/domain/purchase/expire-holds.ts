// Releases holds whose time ran out, without any request. Every replica runs
// this; the conditional updates in releaseHoldSeats make a second release of the
// same hold a no-op, so overlapping sweeps are harmless.
import { Prisma } from '../../generated/prisma/client.ts';
import { SYSTEM } from '../context.ts';
import type { PurchaseContext } from './context.ts';
import { releaseHoldSeats } from './holds.ts';

const SWEEP_PARALLELISM = 4;

export async function expireHolds(ctx: PurchaseContext, batch = 100): Promise<number> {
  // Due by the database clock, the one every expiry decision uses.
  const found = await ctx.db.$queryRaw<{ id: string; eventId: string }[]>(Prisma.sql`
    SELECT id, event_id AS "eventId" FROM holds
     WHERE status = 'active' AND expires_at <= now()
     ORDER BY expires_at LIMIT ${batch * 4}`);
  // Every replica sweeps; starting from different holds, they rarely queue for
  // the same event's lock to release the same hold.
  const due = found.sort(() => Math.random() - 0.5).slice(0, batch);
  // A few at a time: each release takes an event lock and a pooled connection,
  // and the sweeper must not starve the requests this replica is serving.
  const released: boolean[] = [];
  for (let i = 0; i < due.length; i += SWEEP_PARALLELISM) {
    const slice = due.slice(i, i + SWEEP_PARALLELISM);
    released.push(
      ...(await Promise.all(
        slice.map((h) => releaseHoldSeats(ctx, SYSTEM, h.eventId, h.id, 'expired').catch(() => false)),
      )),
    );
  }
  const count = released.filter(Boolean).length;
  ctx.metrics.holdsExpired.inc(count);
  return count;
}
