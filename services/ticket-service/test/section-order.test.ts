// Sections keep the order the layout gave them: the seat map lists them so (not
// by name), and events made before the order was stored keep the name order.

import { buildTestApp, createAdmin, createEvent, type TestUser } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let app: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  app = await buildTestApp();
  admin = await createAdmin(app);
});
afterAll(async () => {
  await app?.close();
});

interface Seat {
  section: string;
  row: number;
  number: number;
}
const sectionsInOrder = (seats: Seat[]) => [...new Set(seats.map((s) => s.section))];

describe('section order', () => {
  it('when an event is created with "Stalls, Balcony, Floor", then its seat map lists them in that order, rows and seats in order within', async () => {
    const event = await createEvent(app, admin, {
      layout: {
        sections: [
          { name: 'Stalls', rows: 2, seatsPerRow: 3, priceCents: 4000 },
          { name: 'Balcony', rows: 2, seatsPerRow: 2, priceCents: 2500 },
          { name: 'Floor', rows: 1, seatsPerRow: 4, priceCents: 6000 },
        ],
      },
    });
    const map = (await app.inject({ url: `/api/v1/events/${event.id}/seats` })).json();
    expect(sectionsInOrder(map.seats)).toEqual(['Stalls', 'Balcony', 'Floor']);
    const stalls = map.seats
      .filter((s: Seat) => s.section === 'Stalls')
      .map((s: Seat) => `${s.row}.${s.number}`);
    expect(stalls).toEqual(['1.1', '1.2', '1.3', '2.1', '2.2', '2.3']);
    // Stored with each seat, 0 for the first section.
    const positions = await app.db.$queryRaw<{ section: string; position: number }[]>`
      SELECT DISTINCT section, section_position AS position FROM seats WHERE event_id = ${event.id}::uuid ORDER BY 2`;
    expect(positions).toEqual([
      { section: 'Stalls', position: 0 },
      { section: 'Balcony', position: 1 },
      { section: 'Floor', position: 2 },
    ]);
  });

  it('when the layout is given in name order reversed, then the map follows the layout, not the names', async () => {
    const event = await createEvent(app, admin, {
      layout: {
        sections: [
          { name: 'Z', rows: 1, seatsPerRow: 1, priceCents: 100 },
          { name: 'M', rows: 1, seatsPerRow: 1, priceCents: 100 },
          { name: 'A', rows: 1, seatsPerRow: 1, priceCents: 100 },
        ],
      },
    });
    const map = (await app.inject({ url: `/api/v1/events/${event.id}/seats` })).json();
    expect(sectionsInOrder(map.seats)).toEqual(['Z', 'M', 'A']);
  });
});
