// Best-N: the choice itself (a pure function over seats in preference order) and
// the bounded read that feeds it (an index range scan, never a sort of the hall).

import { buildTestApp, createAdmin, createEvent, type TestUser } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  availableWindow,
  type Candidate,
  MAX_WINDOW,
  pickBest,
  windowFor,
} from '../src/domain/purchase/pick-seats.ts';

function row(section: string, rowNo: number, numbers: number[], price = 100): Candidate[] {
  return numbers.map((n) => ({
    id: `${section}-${rowNo}-${n}`,
    section,
    row: rowNo,
    number: n,
    price_cents: price,
    label: `${section} ${rowNo}-${n}`,
  }));
}
const ids = (seats: Candidate[] | undefined) => seats?.map((s) => s.id);

describe('pickBest', () => {
  it('when the front row has a long enough run, then the run nearest its middle is chosen', () => {
    const seats = [...row('A', 1, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), ...row('A', 2, [1, 2, 3])];
    expect(ids(pickBest(seats, 2, { rowLength: () => 10 }))).toEqual(['A-1-5', 'A-1-6']);
  });

  it('when the front row is fragmented, then the first row with a run wins over scattered front seats', () => {
    const seats = [...row('A', 1, [1, 3, 5, 7]), ...row('A', 2, [4, 5, 6])];
    expect(ids(pickBest(seats, 3, { rowLength: () => 8 }))).toEqual(['A-2-4', 'A-2-5', 'A-2-6']);
  });

  it('when no row has a run, then the seats come from one section, front rows first', () => {
    const seats = [...row('A', 1, [1, 3], 200), ...row('B', 1, [1, 3, 5], 100)];
    expect(ids(pickBest(seats, 3))).toEqual(['B-1-1', 'B-1-3', 'B-1-5']);
  });

  it('when seats are taken by earlier buyers of the batch or cost more than authorized, then they are skipped', () => {
    const seats = [...row('A', 1, [1, 2, 3, 4], 200), ...row('B', 1, [1, 2, 3, 4], 100)];
    const taken = new Set(['B-1-2']);
    expect(ids(pickBest(seats, 2, { taken, maxPriceCents: 100, rowLength: () => 4 }))).toEqual([
      'B-1-3',
      'B-1-4',
    ]);
  });

  it('when fewer seats than asked remain, then nothing is chosen', () => {
    expect(pickBest(row('A', 1, [1, 2]), 3)).toBeUndefined();
    expect(pickBest(row('A', 1, [1, 2, 3]), 3, { taken: new Set(['A-1-1']) })).toBeUndefined();
  });

  it('when a batch asks for many seats, then its window grows with the request but never past the cap', () => {
    expect(windowFor(1)).toBeGreaterThanOrEqual(200);
    expect(windowFor(40, 10)).toBeGreaterThan(windowFor(4));
    expect(windowFor(10_000, 10_000)).toBe(MAX_WINDOW);
  });
});

describe('the available-seat window', () => {
  let app: FastifyInstance;
  let admin: TestUser;
  beforeAll(async () => {
    app = await buildTestApp({ replicaId: 'pick' });
    admin = await createAdmin(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('when a 90,000-seat hall is asked for its best seats, then the read is an index range scan of the window, not a sort of the hall', async () => {
    const event = await createEvent(app, admin, {
      layout: {
        sections: [
          { name: 'Floor', rows: 300, seatsPerRow: 150, priceCents: 9000 },
          { name: 'Tier', rows: 300, seatsPerRow: 150, priceCents: 5000 },
        ],
      },
    });
    await app.db.$executeRawUnsafe('ANALYZE seats');
    const plan = await app.db.$queryRawUnsafe<{ 'QUERY PLAN': unknown }[]>(
      `EXPLAIN (FORMAT JSON) SELECT id, section, "row", number, price_cents, label FROM seats
        WHERE event_id = $1::uuid AND status = 'available' AND price_cents <= $2
        ORDER BY price_cents DESC, section_position, "row", number LIMIT $3`,
      event.id,
      2_147_483_647,
      windowFor(4),
    );
    const text = JSON.stringify(plan[0]?.['QUERY PLAN']);
    expect(text).toContain('seats_available_position_idx');
    expect(text).not.toContain('"Node Type":"Sort"');
    const window = await app.db.$transaction((tx) => availableWindow(tx, event.id, windowFor(4)));
    expect(window).toHaveLength(windowFor(4));
    expect(window[0]).toMatchObject({ section: 'Floor', row: 1, number: 1 });
    const picked = pickBest(window, 4, { rowLength: () => 150 });
    expect(ids(picked)).toHaveLength(4);
    expect(picked?.map((s) => [s.row, s.number])).toEqual([
      [1, 74],
      [1, 75],
      [1, 76],
      [1, 77],
    ]);
  });
});
