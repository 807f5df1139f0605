// Releases holds whose time ran out, without any request. Every replica runs
// this; the conditional updates in releaseHoldSeats make a second release of the
// same hold a no-op, so overlapping sweeps are harmless.
import { Prisma } from '../../generated/prisma/client.ts';
import { withDeadline } from '../../lib/deadline.ts';
import { SYSTEM } from '../context.ts';
import type { PurchaseContext } from './context.ts';
import { releaseHoldSeats } from './holds.ts';

const SWEEP_PARALLELISM = 4;

export interface SweepLimits {
  /**
   * Longest one hold's release is waited for. A release that is stuck (its
   * event's lock or row held by a paused replica) is left to run on its own and
   * to a later sweep; the other holds do not wait behind it.
   */
  holdDeadlineMs: number;
  /** Holds looked at per sweep. */
  batch?: number;
}

/** Releases due holds; answers how many this sweep released. */
export async function expireHolds(ctx: PurchaseContext, limits: SweepLimits): Promise<number> {
  const batch = limits.batch ?? 100;
  // Due by the database clock, the one every expiry decision uses.
  const found = await ctx.db.$queryRaw<{ id: string; eventId: string }[]>(Prisma.sql`
    SELECT id, event_id AS "eventId" FROM holds
     WHERE status = 'active' AND expires_at <= now()
     ORDER BY expires_at LIMIT ${batch * 4}`);
  // Every replica sweeps; starting from different holds, they rarely queue for
  // the same event's lock to release the same hold.
  const due = found.sort(() => Math.random() - 0.5).slice(0, batch);
  // A few at a time: each release takes an event lock and a pooled connection,
  // and the sweeper must not starve the requests this replica is serving. Each
  // worker takes the next hold when its last one is done or has run out of time,
  // and none starts a hold once the sweep has lasted a hold's deadline, so a sweep
  // ends within two deadlines however many holds are stuck.
  const stopTakingAt = Date.now() + limits.holdDeadlineMs;
  let next = 0;
  let released = 0;
  const worker = async () => {
    while (next < due.length && Date.now() < stopTakingAt) {
      const hold = due[next++] as { id: string; eventId: string };
      const release = releaseHoldSeats(ctx, SYSTEM, hold.eventId, hold.id, 'expired');
      const done = await withDeadline(release, limits.holdDeadlineMs, `expiry of hold ${hold.id}`, (late) => {
        if (late) ctx.metrics.holdsExpired.inc();
      }).catch(() => false);
      if (done) released++;
    }
  };
  await Promise.all(Array.from({ length: SWEEP_PARALLELISM }, worker));
  ctx.metrics.holdsExpired.inc(released);
  return released;
}
