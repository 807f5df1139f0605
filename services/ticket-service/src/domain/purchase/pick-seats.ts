// Best available seats for a quantity request, chosen inside the event's
// transaction: the dearest section first, then a run of adjacent seats in the
// frontmost row that has one, as near the row's middle as possible. When no row
// has a long enough run, the seats come from one section, front rows first;
// only when no section has enough do they span sections.
import { Prisma } from '../../generated/prisma/client.ts';
import { AppError } from '../errors.ts';

interface Run {
  section: string;
  row: number;
  first: number;
  last: number;
  row_len: number;
}

export async function pickBestSeats(
  tx: Prisma.TransactionClient,
  eventId: string,
  quantity: number,
): Promise<string[]> {
  const runs = await tx.$queryRaw<Run[]>(Prisma.sql`
    WITH avail AS (
      SELECT section, "row", number, price_cents,
             number - row_number() OVER (PARTITION BY section, "row" ORDER BY number) AS grp
        FROM seats
       WHERE event_id = ${eventId}::uuid AND status = 'available'
    ), runs AS (
      SELECT section, "row", min(number) AS first, max(number) AS last, max(price_cents) AS price
        FROM avail GROUP BY section, "row", grp
      HAVING count(*) >= ${quantity}
    )
    SELECT r.section, r."row", r.first, r.last,
           (SELECT max(number) FROM seats s
             WHERE s.event_id = ${eventId}::uuid AND s.section = r.section AND s."row" = r."row") AS row_len
      FROM runs r
     ORDER BY r.price DESC, r."row" ASC, r.section ASC, r.first ASC
     LIMIT 20`);
  const best = bestWindow(runs, quantity);
  if (best) {
    const seats = await tx.$queryRaw<{ id: string }[]>(Prisma.sql`
      SELECT id FROM seats
       WHERE event_id = ${eventId}::uuid AND section = ${best.section} AND "row" = ${best.row}
         AND number BETWEEN ${best.from} AND ${best.from + quantity - 1}
       ORDER BY number`);
    return seats.map((s) => s.id);
  }
  const scattered = await tx.$queryRaw<{ id: string }[]>(Prisma.sql`
    WITH avail AS (
      SELECT id, section, "row", number, price_cents,
             count(*) OVER (PARTITION BY section) AS in_section
        FROM seats WHERE event_id = ${eventId}::uuid AND status = 'available'
    )
    SELECT id FROM avail
     ORDER BY (in_section >= ${quantity}) DESC, price_cents DESC, section, "row", number
     LIMIT ${quantity}`);
  if (scattered.length < quantity) {
    throw new AppError('SOLD_OUT', `Fewer than ${quantity} seats remain for this event.`, {
      remaining: scattered.length,
    });
  }
  return scattered.map((s) => s.id);
}

/** Among the frontmost rows of the best price, the window nearest the row's middle. */
function bestWindow(runs: Run[], quantity: number) {
  const top = runs[0];
  if (!top) return undefined;
  let best: { section: string; row: number; from: number; distance: number } | undefined;
  for (const run of runs) {
    if (run.section !== top.section || run.row !== top.row) continue;
    const middle = (Number(run.row_len) + 1) / 2;
    // The window [from, from + q - 1] whose centre is nearest the middle, kept inside the run.
    const ideal = Math.round(middle - (quantity - 1) / 2);
    const from = Math.min(Math.max(ideal, Number(run.first)), Number(run.last) - quantity + 1);
    const distance = Math.abs(from + (quantity - 1) / 2 - middle);
    if (!best || distance < best.distance) best = { section: run.section, row: run.row, from, distance };
  }
  return best;
}
