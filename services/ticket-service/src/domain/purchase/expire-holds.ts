// Releases holds whose time ran out, without any request. Every replica runs
// this; the conditional updates in releaseHoldSeats make a second release of the
// same hold a no-op, so overlapping sweeps are harmless.
import { SYSTEM } from '../context.ts';
import type { PurchaseContext } from './context.ts';
import { releaseHoldSeats } from './holds.ts';

export async function expireHolds(ctx: PurchaseContext, batch = 100): Promise<number> {
  const found = await ctx.db.hold.findMany({
    where: { status: 'active', expiresAt: { lte: new Date() } },
    select: { id: true, eventId: true },
    orderBy: { expiresAt: 'asc' },
    take: batch * 4,
  });
  // Every replica sweeps; starting from different holds, they rarely queue for
  // the same event's lock to release the same hold.
  const due = found.sort(() => Math.random() - 0.5).slice(0, batch);
  const released = await Promise.all(
    due.map((h) => releaseHoldSeats(ctx, SYSTEM, h.eventId, h.id, 'expired').catch(() => false)),
  );
  const count = released.filter(Boolean).length;
  ctx.metrics.holdsExpired.inc(count);
  return count;
}
