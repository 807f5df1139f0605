// An event's admission clock: one row (waiting_rooms) that hands out slots in
// order, each with the time it is admitted. Slots are dense and their times at
// least 60 / admitPerMinute seconds apart, so the rate holds however many
// replicas hand them out; admission itself is then only "has the clock passed
// admit_at?", derived from stored rows, with nothing that has to tick.
import { randomBytes } from 'node:crypto';
import { Prisma } from '../../generated/prisma/client.ts';
import { AppError } from '../errors.ts';

type Tx = Prisma.TransactionClient;

export const noWaitingRoom = () => new AppError('NOT_FOUND', 'This event has no waiting room.');

/** How long a transaction that may run the draw is given (Prisma's default is 5 s). */
export const DRAW_TIMEOUT_MS = 60_000;

/** The time between two admissions, as an SQL interval (microseconds: a rate need not divide a minute). */
export const admissionGap = (admitPerMinute: number) =>
  Prisma.sql`make_interval(secs => ${60 / admitPerMinute}::float8)`;

/**
 * A random place in the draw for someone who joins before the opening: 63 bits
 * from the CSPRNG, so the order at the opening is a uniformly random
 * permutation, whatever the order (or the moment) people joined in.
 */
export const drawKey = () => randomBytes(8).readBigUInt64BE() >> 1n;

export interface Clock {
  /** Whether those who joined before the opening have been given their slots. */
  drawn: boolean;
  admitPerMinute: number;
}

/**
 * Locks the event's clock until the transaction ends and, when the opening has
 * come and the draw has not run yet, runs it. Undefined when the event has no
 * waiting room (none ever, or turned off).
 *
 * Joins before the opening hold the row FOR SHARE while they insert, so the
 * draw's lock waits for every one of them to commit, and the draw (a later
 * statement, so a later snapshot under READ COMMITTED) sees them all; a join
 * that comes after finds the row drawn and takes a slot in line instead.
 */
export async function lockClock(tx: Tx, eventId: string, now: Date): Promise<Clock | undefined> {
  let [room] = await readLocked(tx, eventId, Prisma.empty);
  if (!room) {
    // Rooms are created with the setting; this covers a row lost some other way.
    await tx.$executeRaw`
      INSERT INTO waiting_rooms (event_id) SELECT id FROM events WHERE id = ${eventId}::uuid
      ON CONFLICT DO NOTHING`;
    [room] = await readLocked(tx, eventId, Prisma.empty);
  }
  if (!room?.enabled || room.admitPerMinute === null) return undefined;
  const clock = { drawn: room.drawn, admitPerMinute: room.admitPerMinute };
  if (!drawDue(room, now)) return clock;
  await draw(tx, eventId, room.salesStartAt ?? now, now, room.admitPerMinute);
  return { ...clock, drawn: true };
}

/**
 * The draw for someone who only asks (GET): at the opening every waiting
 * customer's poll finds itself undrawn, and they must not queue one by one on
 * the clock's lock. Whoever holds it is drawing, or joining (which draws first):
 * the others skip it and see the draw at their next poll.
 */
export async function drawIfDue(tx: Tx, eventId: string, now: Date): Promise<void> {
  const [room] = await readLocked(tx, eventId, Prisma.sql`SKIP LOCKED`);
  if (room?.enabled && room.admitPerMinute !== null && drawDue(room, now)) {
    await draw(tx, eventId, room.salesStartAt ?? now, now, room.admitPerMinute);
  }
}

const drawDue = (room: LockedRoom, now: Date) =>
  !room.drawn && (room.salesStartAt === null || now >= room.salesStartAt);

interface LockedRoom {
  drawn: boolean;
  enabled: boolean;
  salesStartAt: Date | null;
  admitPerMinute: number | null;
}

function readLocked(tx: Tx, eventId: string, wait: Prisma.Sql) {
  return tx.$queryRaw<LockedRoom[]>`
    SELECT w.drawn_at IS NOT NULL AS drawn, e.waiting_room_enabled AS enabled,
           e.sales_start_at AS "salesStartAt", e.admit_per_minute AS "admitPerMinute"
      FROM waiting_rooms w JOIN events e ON e.id = w.event_id
     WHERE w.event_id = ${eventId}::uuid
       FOR UPDATE OF w ${wait}`;
}

/**
 * The opening: everyone who joined before it, ordered by their random keys,
 * gets the next slots, the first admitted at the opening (`base`) and each next
 * one a gap later. Deterministic from the stored keys, and run once: the caller
 * holds the clock's lock and found it undrawn.
 */
async function draw(tx: Tx, eventId: string, base: Date, now: Date, admitPerMinute: number) {
  // Every place drawn is written by this one statement: a big opening may need
  // longer than the pool's statement_timeout, a bound meant for the purchase path.
  await tx.$executeRaw`SET LOCAL statement_timeout = '60s'`;
  await tx.$executeRaw`
    WITH ranked AS (
      SELECT user_id, attempt, row_number() OVER (ORDER BY draw_key, user_id, attempt) AS r
        FROM queue_entries
       WHERE event_id = ${eventId}::uuid AND slot IS NULL
    ), placed AS (
      UPDATE queue_entries q
         SET slot = w.last_slot + ranked.r,
             admit_at = ${base}::timestamptz + (ranked.r - 1) * ${admissionGap(admitPerMinute)}
        FROM ranked, waiting_rooms w
       WHERE w.event_id = ${eventId}::uuid
         AND q.event_id = ${eventId}::uuid AND q.user_id = ranked.user_id AND q.attempt = ranked.attempt
      RETURNING q.admit_at
    )
    UPDATE waiting_rooms w
       SET drawn_at = ${now}::timestamptz,
           last_slot = w.last_slot + (SELECT count(*) FROM placed),
           last_admit_at = coalesce((SELECT max(admit_at) FROM placed), w.last_admit_at)
     WHERE w.event_id = ${eventId}::uuid`;
}
