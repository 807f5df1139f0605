// Releases holds whose time ran out, without any request. Every replica runs
// this; the conditional updates in releaseHoldSeats make a second release of the
// same hold a no-op, so overlapping sweeps are harmless.
import { SYSTEM } from '../context.ts';
import type { PurchaseContext } from './context.ts';
import { releaseHoldSeats } from './holds.ts';

export async function expireHolds(ctx: PurchaseContext, batch = 200): Promise<number> {
  const due = await ctx.db.hold.findMany({
    where: { status: 'active', expiresAt: { lte: new Date() } },
    select: { id: true, eventId: true },
    orderBy: { expiresAt: 'asc' },
    take: batch,
  });
  const released = await Promise.all(
    due.map((h) => releaseHoldSeats(ctx, SYSTEM, h.eventId, h.id, 'expired').catch(() => false)),
  );
  const count = released.filter(Boolean).length;
  ctx.metrics.holdsExpired.inc(count);
  return count;
}
