// POST /events/:id/queue: a customer joins an event's waiting room. Idempotent:
// while their place is waiting or admitted, joining again changes nothing; once
// their admission has run out, joining again queues them anew, at the back.
//
// Before the opening (salesStartAt) a joiner gets a random draw key and no slot:
// the draw at the opening orders them all by it (admission-clock.ts). After it,
// a joiner takes the next slot under the clock's lock: first come, first served.
import type { Db } from '../context.ts';
import { notFound } from '../errors.ts';
import { admissionGap, DRAW_TIMEOUT_MS, drawKey, lockClock, noWaitingRoom } from './admission-clock.ts';
import type { WaitingRoomContext } from './context.ts';

interface Entry {
  attempt: number;
  admitAt: Date | null;
}

/** Waiting (drawn or not) or admitted: a place that joining again must not replace. */
const stillQueued = (entry: Entry, now: Date, admissionTtlMs: number) =>
  entry.admitAt === null || now.getTime() < entry.admitAt.getTime() + admissionTtlMs;

export async function joinQueue(ctx: WaitingRoomContext, eventId: string, userId: string): Promise<void> {
  const now = new Date(ctx.now());
  const [seen] = await ctx.db.$queryRaw<
    {
      enabled: boolean;
      salesStartAt: Date | null;
      drawn: boolean;
      attempt: number | null;
      admitAt: Date | null;
    }[]
  >`
    SELECT e.waiting_room_enabled AND e.admit_per_minute IS NOT NULL AS enabled,
           e.sales_start_at AS "salesStartAt", coalesce(w.drawn_at IS NOT NULL, false) AS drawn,
           q.attempt, q.admit_at AS "admitAt"
      FROM events e
      LEFT JOIN waiting_rooms w ON w.event_id = e.id
      LEFT JOIN LATERAL (
        SELECT attempt, admit_at FROM queue_entries
         WHERE event_id = e.id AND user_id = ${userId}::uuid ORDER BY attempt DESC LIMIT 1
      ) q ON true
     WHERE e.id = ${eventId}::uuid`;
  if (!seen) throw notFound('event');
  if (!seen.enabled) throw noWaitingRoom();
  const latest = seen.attempt === null ? undefined : { attempt: seen.attempt, admitAt: seen.admitAt };
  if (latest && stillQueued(latest, now, ctx.admissionTtlMs)) return;
  const attempt = (latest?.attempt ?? 0) + 1;
  const beforeOpening = !seen.drawn && seen.salesStartAt !== null && now < seen.salesStartAt;
  if (beforeOpening && (await joinTheDraw(ctx, eventId, userId, attempt, now))) return;
  await joinTheLine(ctx, eventId, userId, now);
}

/** False when the draw has run (or is running) meanwhile: the caller joins the line instead. */
async function joinTheDraw(
  ctx: WaitingRoomContext,
  eventId: string,
  userId: string,
  attempt: number,
  now: Date,
) {
  return ctx.db.$transaction(async (tx) => {
    // Shared: joins before the opening do not wait for each other, only the draw waits for them.
    const [room] = await tx.$queryRaw<{ drawn: boolean }[]>`
      SELECT drawn_at IS NOT NULL AS drawn FROM waiting_rooms WHERE event_id = ${eventId}::uuid FOR SHARE`;
    if (!room || room.drawn) return false;
    await insertForDraw(tx, eventId, userId, attempt, now);
    return true;
  });
}

async function joinTheLine(ctx: WaitingRoomContext, eventId: string, userId: string, now: Date) {
  await ctx.db.$transaction(
    async (tx) => {
      const clock = await lockClock(tx, eventId, now);
      if (!clock) throw noWaitingRoom();
      // Under the lock, so that two joins of one customer cannot both take a slot.
      const latest = await latestEntry(tx, eventId, userId);
      if (latest && stillQueued(latest, now, ctx.admissionTtlMs)) return;
      const attempt = (latest?.attempt ?? 0) + 1;
      // The opening was moved later since we looked: a place in the draw after all.
      if (!clock.drawn) return insertForDraw(tx, eventId, userId, attempt, now);
      // The next slot: due a gap after the previous one, or now if the line is empty.
      await tx.$executeRaw`
        WITH clock AS (
          UPDATE waiting_rooms w
             SET last_slot = w.last_slot + 1,
                 last_admit_at = greatest(w.last_admit_at + ${admissionGap(clock.admitPerMinute)}, ${now}::timestamptz)
           WHERE w.event_id = ${eventId}::uuid
          RETURNING w.last_slot, w.last_admit_at
        )
        INSERT INTO queue_entries (event_id, user_id, attempt, joined_at, slot, admit_at)
        SELECT ${eventId}::uuid, ${userId}::uuid, ${attempt}, ${now}::timestamptz, last_slot, last_admit_at
          FROM clock`;
    },
    // The first join after the opening may run the draw.
    { timeout: DRAW_TIMEOUT_MS },
  );
}

// A second join of the same customer racing this one inserts the same attempt:
// one of them wins, and both answers describe that one place.
async function insertForDraw(tx: Db, eventId: string, userId: string, attempt: number, now: Date) {
  await tx.$executeRaw`
    INSERT INTO queue_entries (event_id, user_id, attempt, joined_at, draw_key)
    VALUES (${eventId}::uuid, ${userId}::uuid, ${attempt}, ${now}::timestamptz, ${drawKey()})
    ON CONFLICT DO NOTHING`;
}

async function latestEntry(db: Db, eventId: string, userId: string): Promise<Entry | undefined> {
  const [entry] = await db.$queryRaw<Entry[]>`
    SELECT attempt, admit_at AS "admitAt" FROM queue_entries
     WHERE event_id = ${eventId}::uuid AND user_id = ${userId}::uuid ORDER BY attempt DESC LIMIT 1`;
  return entry;
}
