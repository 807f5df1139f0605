// Holds: seats set aside for one buyer for a limited time. Every change of seat
// status runs through runFenced (event lock + Postgres fence + conditional
// updates), so a seat is only ever held by one hold.
//
// Held seats count against the event's per-customer limit like tickets, checked
// in the hold's own transaction. There is no separate cap on the number of
// holds: each holds at least one seat, so a customer's holds never keep more
// than maxTicketsPerCustomer seats from others, however they are split.
import { randomUUID } from 'node:crypto';
import type { SeatSelection } from '@tickets/contract/purchase';
import { runFenced } from '../../event-lock/fence.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import type { Actor } from '../context.ts';
import { notFound } from '../errors.ts';
import type { PurchaseContext } from './context.ts';
import { holdView } from './hold-view.ts';
import { pickBestSeats } from './pick-seats.ts';
import { holdBought, limitExceeded, salesClosed } from './refusals.ts';
import { distinctSeatIds, refuse } from './seat-claims.ts';

/** Holds seats for a user; answers the hold or SEAT_UNAVAILABLE / SOLD_OUT. */
export async function createHold(
  ctx: PurchaseContext,
  actor: Actor & { id: string },
  eventId: string,
  selection: SeatSelection,
) {
  const holdId = randomUUID();
  if ('seatIds' in selection) selection = { seatIds: distinctSeatIds(selection.seatIds) };
  const layout = 'quantity' in selection ? await ctx.seatViews.of(eventId) : undefined;
  await runFenced(ctx, 'hold', eventId, async (tx, fence) => {
    if (fence.eventStatus !== 'on_sale') {
      throw salesClosed(selection);
    }
    // The fence holds the event row, so no seat of this event changes hands until
    // COMMIT: the count is exact, whatever other replicas do.
    const wanted = 'seatIds' in selection ? selection.seatIds.length : selection.quantity;
    const [count] = await tx.$queryRaw<{ owned: number }[]>(Prisma.sql`
      SELECT tickets_customer_count(${eventId}::uuid, ${actor.id}::uuid) AS owned`);
    const owned = count?.owned ?? 0;
    if (owned + wanted > fence.maxTicketsPerCustomer) throw limitExceeded(fence.maxTicketsPerCustomer, owned);
    const seatIds =
      'seatIds' in selection
        ? selection.seatIds
        : await pickBestSeats(tx, eventId, selection.quantity, undefined, (s, row) =>
            layout?.rowLength(s, row),
          );
    const taken = await tx.$queryRaw<{ id: string; price_cents: number }[]>(Prisma.sql`
      UPDATE seats SET status = 'held', hold_id = ${holdId}::uuid, updated_at = now()
       WHERE event_id = ${eventId}::uuid AND id = ANY(${seatIds}::uuid[]) AND status = 'available'
       RETURNING id, price_cents`);
    if (taken.length < seatIds.length) await refuse(tx, eventId, seatIds, taken);
    const totalCents = taken.reduce((sum, s) => sum + s.price_cents, 0);
    // Expiry on the database clock, which every expiry decision uses.
    await tx.$executeRaw(Prisma.sql`
      INSERT INTO holds (id, event_id, user_id, seat_ids, total_cents, expires_at)
      VALUES (${holdId}::uuid, ${eventId}::uuid, ${actor.id}::uuid, ${seatIds}::uuid[], ${totalCents},
              now() + ${ctx.holdTtlSeconds} * interval '1 second')`);
    await recordAudit(tx, ctx.replica, {
      actor,
      action: 'hold.create',
      subject: `hold:${holdId}`,
      detail: { eventId, seatIds, totalCents },
    });
    return {
      result: undefined,
      changes: seatIds.map((id) => ({ id, status: 'held' as const, owner: actor.id })),
    };
  });
  ctx.metrics.holdsCreated.inc();
  return holdView(ctx.db, holdId);
}

export async function getOwnHold(ctx: PurchaseContext, actor: { id: string }, holdId: string) {
  const hold = await ctx.db.hold.findUnique({ where: { id: holdId }, select: { userId: true } });
  // Someone else's hold is as invisible as one that does not exist.
  if (!hold || hold.userId !== actor.id) throw notFound('hold');
  return holdView(ctx.db, holdId);
}

/** DELETE /holds/:id: seats back on sale. Releasing a hold that already ended is a no-op. */
export async function releaseHold(ctx: PurchaseContext, actor: Actor & { id: string }, holdId: string) {
  const hold = await ctx.db.hold.findUnique({ where: { id: holdId } });
  if (!hold || hold.userId !== actor.id) throw notFound('hold');
  if (hold.status === 'ordered') {
    throw holdBought(hold.seatIds);
  }
  if (hold.status !== 'active') return;
  await releaseHoldSeats(ctx, actor, hold.eventId, holdId, 'released');
}

/** Puts an active hold's seats back on sale and marks it released or expired. */
export async function releaseHoldSeats(
  ctx: PurchaseContext,
  actor: Actor,
  eventId: string,
  holdId: string,
  as: 'released' | 'expired',
): Promise<boolean> {
  return runFenced(ctx, as === 'released' ? 'release' : 'expire', eventId, async (tx) => {
    // An expiry is decided by the database clock, never by a replica's.
    const due = as === 'expired' ? Prisma.sql`AND expires_at <= now()` : Prisma.empty;
    const ended = await tx.$executeRaw(Prisma.sql`
      UPDATE holds SET status = ${as}::"HoldStatus" WHERE id = ${holdId}::uuid AND status = 'active' ${due}`);
    if (ended === 0) {
      if (as === 'released') {
        const now = await tx.hold.findUnique({
          where: { id: holdId },
          select: { status: true, seatIds: true },
        });
        if (now?.status === 'ordered') {
          throw holdBought(now.seatIds);
        }
      }
      return { result: false, changes: [] };
    }
    const freed = await tx.$queryRaw<{ id: string }[]>(Prisma.sql`
      UPDATE seats SET status = 'available', hold_id = NULL, updated_at = now()
       WHERE hold_id = ${holdId}::uuid AND status = 'held' RETURNING id`);
    await recordAudit(tx, ctx.replica, {
      actor,
      action: as === 'released' ? 'hold.release' : 'hold.expire',
      subject: `hold:${holdId}`,
      detail: { eventId, seatIds: freed.map((s) => s.id) },
    });
    return {
      result: true,
      changes: freed.map((s) => ({ id: s.id, status: 'available' as const, owner: null })),
    };
  });
}
