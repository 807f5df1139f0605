// Best available seats for a quantity request, chosen inside the event's
// transaction: the dearest section first, then a run of adjacent seats in the
// frontmost row that has one, as near the row's middle as possible. When no row
// has a long enough run, the seats come from one section, front rows first;
// only when no section has enough do they span sections.
//
// The available seats are read in that order of preference, a chunk at a time:
// on a busy event the front is sold first, so the first chunk nearly always
// holds the answer and the rest of the hall is never read.
import { Prisma } from '../../generated/prisma/client.ts';
import { AppError } from '../errors.ts';

interface Available {
  id: string;
  section: string;
  row: number;
  number: number;
  price_cents: number;
}

const CHUNK = 100;

export async function pickBestSeats(
  tx: Prisma.TransactionClient,
  eventId: string,
  quantity: number,
  maxPriceCents = 2_147_483_647,
): Promise<string[]> {
  const seen: Available[] = [];
  for (let offset = 0; ; offset += CHUNK) {
    const chunk = await tx.$queryRaw<Available[]>(Prisma.sql`
      SELECT id, section, "row", number, price_cents FROM seats
       WHERE event_id = ${eventId}::uuid AND status = 'available' AND price_cents <= ${maxPriceCents}
       ORDER BY price_cents DESC, section, "row", number
       LIMIT ${CHUNK} OFFSET ${offset}`);
    seen.push(...chunk);
    // A row is complete once a later row has started (or nothing is left to read).
    const complete =
      chunk.length < CHUNK ? seen : seen.filter((s) => rowKey(s) !== rowKey(seen.at(-1) as Available));
    const run = firstRun(complete, quantity);
    if (run) return centred(tx, eventId, run, quantity);
    if (chunk.length < CHUNK) break;
  }
  return scattered(seen, quantity);
}

const rowKey = (s: Available) => `${s.price_cents}|${s.section}|${s.row}`;

/** The first row (in preference order) with `quantity` adjacent available seats: all its runs that long. */
function firstRun(seats: Available[], quantity: number): Available[][] | undefined {
  let row: Available[] = [];
  const flush = () => {
    const runs: Available[][] = [];
    let run: Available[] = [];
    for (const s of row) {
      if (run.length > 0 && s.number !== (run.at(-1) as Available).number + 1) run = [];
      run.push(s);
      // The run itself is kept (by reference), so it goes on growing in `runs`.
      if (run.length === quantity) runs.push(run);
    }
    return runs.length > 0 ? runs : undefined;
  };
  for (const s of seats) {
    if (row.length > 0 && rowKey(row[0] as Available) !== rowKey(s)) {
      const found = flush();
      if (found) return found;
      row = [];
    }
    row.push(s);
  }
  return row.length > 0 ? flush() : undefined;
}

/** Within the chosen row's runs, the window whose centre is nearest the row's middle. */
async function centred(tx: Prisma.TransactionClient, eventId: string, runs: Available[][], quantity: number) {
  const first = runs[0]?.[0] as Available;
  const [len] = await tx.$queryRaw<{ n: number }[]>(Prisma.sql`
    SELECT max(number)::int AS n FROM seats
     WHERE event_id = ${eventId}::uuid AND section = ${first.section} AND "row" = ${first.row}`);
  const middle = ((len?.n ?? first.number) + 1) / 2;
  let best: Available[] = [];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const run of runs) {
    for (let i = 0; i + quantity <= run.length; i++) {
      const window = run.slice(i, i + quantity);
      const centre = ((window[0] as Available).number + (window.at(-1) as Available).number) / 2;
      const distance = Math.abs(centre - middle);
      if (distance < bestDistance) {
        best = window;
        bestDistance = distance;
      }
    }
  }
  return best.map((s) => s.id);
}

/** No run anywhere: one section that has enough (front rows first), else across sections. */
function scattered(seats: Available[], quantity: number): string[] {
  if (seats.length < quantity) {
    throw new AppError('SOLD_OUT', `Fewer than ${quantity} seats remain for this event.`, {
      remaining: seats.length,
    });
  }
  const bySection = new Map<string, Available[]>();
  for (const s of seats) bySection.set(s.section, [...(bySection.get(s.section) ?? []), s]);
  const enough = [...bySection.values()].find((list) => list.length >= quantity);
  return (enough ?? seats).slice(0, quantity).map((s) => s.id);
}
