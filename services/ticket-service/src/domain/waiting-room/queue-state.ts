// GET /events/:id/queue (and the answer to a join): where a customer stands.
// Everything follows from stored rows and the time: a place is waiting until
// its admit_at, then admitted for ADMISSION_TTL_SECONDS (with a token that
// expires with it), then expired. Any replica gives the same answer, and the
// same token, for the same moment.
import type { QueueState } from '@tickets/contract/waiting-room';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { AppError, notFound } from '../errors.ts';
import { DRAW_TIMEOUT_MS, drawIfDue, noWaitingRoom } from './admission-clock.ts';
import type { WaitingRoomContext } from './context.ts';

interface Place {
  slot: bigint | null;
  admitAt: Date | null;
  /** Before the draw: undrawn entries whose keys come first. */
  drawnAhead: number | null;
  /** The last slot whose time has come (null: none yet). */
  admittedSlot: bigint | null;
}

/**
 * The customer's latest place, in one statement of two index probes after the
 * draw. Before it, the provisional place counts the keys below theirs (an index
 * range of that length).
 */
async function readPlace(db: PrismaClient, eventId: string, userId: string, now: Date) {
  const [place] = await db.$queryRaw<Place[]>`
    SELECT q.slot, q.admit_at AS "admitAt",
           CASE WHEN q.slot IS NULL THEN (
             SELECT count(*)::int FROM queue_entries d
              WHERE d.event_id = q.event_id AND d.slot IS NULL AND d.draw_key <= q.draw_key
                AND (d.draw_key, d.user_id, d.attempt) < (q.draw_key, q.user_id, q.attempt))
           END AS "drawnAhead",
           (SELECT a.slot FROM queue_entries a
             WHERE a.event_id = q.event_id AND a.slot IS NOT NULL AND a.admit_at <= ${now}::timestamptz
             ORDER BY a.admit_at DESC, a.slot DESC LIMIT 1) AS "admittedSlot"
      FROM queue_entries q
     WHERE q.event_id = ${eventId}::uuid AND q.user_id = ${userId}::uuid
     ORDER BY q.attempt DESC LIMIT 1`;
  return place;
}

export async function queueState(
  ctx: WaitingRoomContext,
  eventId: string,
  userId: string,
): Promise<QueueState> {
  const gate = await ctx.gateOf(eventId);
  if (!gate) throw notFound('event');
  if (!gate.waitingRoom || gate.admitPerMinute === null) throw noWaitingRoom();
  const nowMs = ctx.now();
  const now = new Date(nowMs);
  let place = await readPlace(ctx.db, eventId, userId, now);
  if (!place) throw new AppError('NOT_FOUND', "You are not in this event's queue; join it first.");
  if (place.slot === null && (gate.salesStartAt === null || nowMs >= gate.salesStartAt)) {
    // Sales have opened and nobody has drawn yet: whoever asks first does (once,
    // under the clock's lock), so the opening needs no process of its own.
    await ctx.db.$transaction((tx) => drawIfDue(tx, eventId, now), { timeout: DRAW_TIMEOUT_MS });
    place = (await readPlace(ctx.db, eventId, userId, now)) ?? place;
  }

  const gapMs = 60_000 / gate.admitPerMinute;
  if (place.slot === null || place.admitAt === null) {
    const position = (place.drawnAhead ?? 0) + 1;
    const untilOpening = Math.max(0, (gate.salesStartAt ?? nowMs) - nowMs);
    return {
      state: 'waiting',
      position,
      estimatedWaitSeconds: Math.ceil((untilOpening + (position - 1) * gapMs) / 1000),
      provisional: true,
    };
  }
  const admitAt = place.admitAt.getTime();
  if (nowMs < admitAt) {
    return {
      state: 'waiting',
      // Slots are dense: everyone between the last admitted slot and this one is ahead.
      position: Number(place.slot - (place.admittedSlot ?? 0n)),
      // Exact, not an estimate: the time was fixed when the slot was given.
      estimatedWaitSeconds: Math.ceil((admitAt - nowMs) / 1000),
      provisional: false,
    };
  }
  const expiresAt = admitAt + ctx.admissionTtlMs;
  if (nowMs < expiresAt) {
    return {
      state: 'admitted',
      admissionToken: ctx.tokens.sign({ eventId, userId, expiresAt }),
      expiresAt: new Date(expiresAt).toISOString(),
    };
  }
  return { state: 'expired', expiredAt: new Date(expiresAt).toISOString() };
}
