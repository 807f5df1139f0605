// Best available seats for a quantity request, chosen under the event's lock:
// the dearest section first, then a run of adjacent seats in the frontmost row
// that has one, as near the row's middle as possible. When no row has a long
// enough run, the seats come from one section, front rows first; only when no
// section has enough do they span sections.
//
// The work is bounded and linear: one indexed query reads the first `window`
// available seats in that order of preference (a partial index on available
// seats serves it without sorting the hall), and the choice is one pass over
// them. On a busy event the front sells first, so the window nearly always holds
// the answer; when it does not, the seats come from the window's front rows
// rather than from a scan of the whole hall.
import { Prisma } from '../../generated/prisma/client.ts';
import { soldOut } from './refusals.ts';

export interface Candidate {
  id: string;
  section: string;
  row: number;
  number: number;
  price_cents: number;
  label: string;
}

/** Most seats one pick reads, however large the hall. */
export const MAX_WINDOW = 2_000;

/** How many available seats to read for best-N requests of this many seats in all. */
export const windowFor = (seats: number, alsoClaimed = 0) =>
  Math.min(MAX_WINDOW, Math.max(200, seats * 25) + alsoClaimed);

export async function availableWindow(
  tx: Prisma.TransactionClient,
  eventId: string,
  limit: number,
  maxPriceCents = 2_147_483_647,
): Promise<Candidate[]> {
  return tx.$queryRaw<Candidate[]>(Prisma.sql`
    SELECT id, section, "row", number, price_cents, label FROM seats
     WHERE event_id = ${eventId}::uuid AND status = 'available' AND price_cents <= ${maxPriceCents}
     ORDER BY price_cents DESC, section_position, "row", number
     LIMIT ${limit}`);
}

export type RowLength = (section: string, row: number) => number | undefined;

/**
 * Chooses `quantity` seats from `candidates` (in preference order), skipping
 * `taken` and seats dearer than `maxPriceCents`; undefined when too few remain.
 */
export function pickBest(
  candidates: Candidate[],
  quantity: number,
  options: { taken?: Set<string>; maxPriceCents?: number; rowLength?: RowLength } = {},
): Candidate[] | undefined {
  const { taken, maxPriceCents = Number.POSITIVE_INFINITY, rowLength } = options;
  const usable: Candidate[] = [];
  let row: Candidate[] = [];
  const closeRow = () => {
    const found = centredRun(row, quantity, rowLength);
    row = [];
    return found;
  };
  for (const seat of candidates) {
    if (taken?.has(seat.id) || seat.price_cents > maxPriceCents) continue;
    if (row.length > 0 && !sameRow(row[0] as Candidate, seat)) {
      const found = closeRow();
      if (found) return found;
    }
    row.push(seat);
    usable.push(seat);
  }
  const last = closeRow();
  if (last) return last;
  return scattered(usable, quantity);
}

const sameRow = (a: Candidate, b: Candidate) =>
  a.price_cents === b.price_cents && a.section === b.section && a.row === b.row;

/** In one row's available seats (by number): the run of `quantity` nearest the row's middle. */
function centredRun(row: Candidate[], quantity: number, rowLength?: RowLength): Candidate[] | undefined {
  if (row.length < quantity) return undefined;
  const first = row[0] as Candidate;
  const length = rowLength?.(first.section, first.row) ?? (row.at(-1) as Candidate).number;
  const middle = (length + 1) / 2;
  let best: number | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  let runStart = 0;
  for (let i = 0; i < row.length; i++) {
    if (i > 0 && (row[i] as Candidate).number !== (row[i - 1] as Candidate).number + 1) runStart = i;
    const start = i - quantity + 1;
    if (start < runStart) continue;
    const centre = ((row[start] as Candidate).number + (row[i] as Candidate).number) / 2;
    const distance = Math.abs(centre - middle);
    if (distance < bestDistance) {
      best = start;
      bestDistance = distance;
    }
  }
  return best === undefined ? undefined : row.slice(best, best + quantity);
}

/** No run anywhere: one section that has enough (front rows first), else across sections. */
function scattered(seats: Candidate[], quantity: number): Candidate[] | undefined {
  if (seats.length < quantity) return undefined;
  const bySection = new Map<string, Candidate[]>();
  for (const s of seats) {
    const list = bySection.get(s.section);
    if (list) list.push(s);
    else bySection.set(s.section, [s]);
  }
  const enough = [...bySection.values()].find((list) => list.length >= quantity);
  return (enough ?? seats).slice(0, quantity);
}

/** One request on its own (a hold): reads a window and picks from it, or answers SOLD_OUT. */
export async function pickBestSeats(
  tx: Prisma.TransactionClient,
  eventId: string,
  quantity: number,
  maxPriceCents?: number,
  rowLength?: RowLength,
): Promise<string[]> {
  const window = await availableWindow(tx, eventId, windowFor(quantity), maxPriceCents);
  const picked = pickBest(window, quantity, { rowLength });
  if (!picked) throw soldOut(quantity, window.length);
  return picked.map((s) => s.id);
}
