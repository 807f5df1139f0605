import {
  bearer,
  buildTestApp,
  createAdmin,
  createEvent,
  eventBody,
  signup,
  type TestUser,
} from '@tickets/testkit/app';
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

describe('events', () => {
  it('when an admin creates an event, then it and every seat of its layout exist', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/events',
      headers: bearer(admin),
      payload: eventBody(),
    });
    expect(res.statusCode).toBe(201);
    const event = res.json();
    expect(event).toMatchObject({
      status: 'on_sale',
      currency: 'EUR',
      seatCount: 14,
      availableCount: 14,
      minPriceCents: 3000,
      maxPriceCents: 5000,
    });
    const seats = await app.inject({ method: 'GET', url: `/api/v1/events/${event.id}/seats` });
    expect(seats.statusCode).toBe(200);
    const map = seats.json();
    expect(map.eventId).toBe(event.id);
    expect(map.version).toBe(0);
    expect(map.seats).toHaveLength(14);
    const floor = map.seats.filter((s: { section: string }) => s.section === 'Floor');
    expect(floor).toHaveLength(10);
    expect(floor[0]).toMatchObject({ row: 1, number: 1, priceCents: 5000, status: 'available' });
    expect(new Set(map.seats.map((s: { label: string }) => s.label)).size).toBe(14);
  });

  it('when a 20,000-seat arena is created, then all seats exist with correct rows and prices', async () => {
    const body = eventBody({
      layout: {
        sections: [
          { name: 'Lower', rows: 50, seatsPerRow: 200, priceCents: 9900 },
          { name: 'Upper', rows: 40, seatsPerRow: 250, priceCents: 4900 },
        ],
      },
    });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/events',
      headers: bearer(admin),
      payload: body,
    });
    expect(res.statusCode).toBe(201);
    const event = res.json();
    expect(event.seatCount).toBe(20_000);
    expect(event.availableCount).toBe(20_000);
    const bySection = await app.db.seat.groupBy({
      by: ['section', 'priceCents'],
      where: { eventId: event.id },
      _count: true,
      _max: { row: true, number: true },
    });
    expect(bySection.sort((a, b) => a.section.localeCompare(b.section))).toEqual([
      { section: 'Lower', priceCents: 9900, _count: 10_000, _max: { row: 50, number: 200 } },
      { section: 'Upper', priceCents: 4900, _count: 10_000, _max: { row: 40, number: 250 } },
    ]);
  });

  it('when the layout repeats a section name, then 400 and no event is created', async () => {
    const title = `dup-${Date.now()}`;
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/events',
      headers: bearer(admin),
      payload: eventBody({
        title,
        layout: {
          sections: [
            { name: 'A', rows: 1, seatsPerRow: 1, priceCents: 1 },
            { name: 'A', rows: 1, seatsPerRow: 1, priceCents: 1 },
          ],
        },
      }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(await app.db.event.count({ where: { title } })).toBe(0);
  });

  it('when an event is closed, then its status shows closed and on-sale events are listed first', async () => {
    const closed = await createEvent(app, admin, {
      startsAt: new Date(Date.now() + 86400_000).toISOString(),
    });
    const open = await createEvent(app, admin, {
      startsAt: new Date(Date.now() + 2 * 86400_000).toISOString(),
    });
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/events/${closed.id}`,
      headers: bearer(admin),
      payload: { status: 'closed' },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().status).toBe('closed');

    const ids: string[] = [];
    const statuses: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/events?limit=50${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await app.inject({ method: 'GET', url });
      expect(page.statusCode).toBe(200);
      const body = page.json();
      ids.push(...body.items.map((e: { id: string }) => e.id));
      statuses.push(...body.items.map((e: { status: string }) => e.status));
      cursor = body.nextCursor;
    } while (cursor);
    expect(ids.indexOf(open.id)).toBeLessThan(ids.indexOf(closed.id));
    expect(statuses.lastIndexOf('on_sale')).toBeLessThan(statuses.indexOf('closed'));
    // Other test files add and close events meanwhile (one shared database): only
    // ours are known not to move, and each is listed once.
    expect(ids.filter((id) => id === open.id || id === closed.id)).toHaveLength(2);
  });

  it('when the list is paged, then each page starts after the last event of the one before', async () => {
    await createEvent(app, admin);
    await createEvent(app, admin);
    const rank = (e: { status: string; startsAt: string; id: string }) =>
      [e.status === 'on_sale' ? 0 : 1, Date.parse(e.startsAt), e.id] as const;
    const first = (await app.inject({ method: 'GET', url: '/api/v1/events?limit=1' })).json();
    const second = (
      await app.inject({ method: 'GET', url: `/api/v1/events?limit=1&cursor=${first.nextCursor}` })
    ).json();
    const [a, b] = [rank(first.items[0]), rank(second.items[0])];
    // Strictly after, in (status, start, id): whatever other tests added meanwhile.
    const later = a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])));
    expect(later).toBe(true);
  });

  it('when an event does not exist, then detail, seats, patch and orders answer 404', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [method, url] of [
      ['GET', `/api/v1/events/${missing}`],
      ['GET', `/api/v1/events/${missing}/seats`],
      ['PATCH', `/api/v1/admin/events/${missing}`],
      ['GET', `/api/v1/admin/events/${missing}/orders`],
    ] as const) {
      const res = await app.inject({
        method,
        url,
        headers: bearer(admin),
        ...(method === 'PATCH' ? { payload: { status: 'closed' } } : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });

  it('when an admin lists events, then each has sales totals; orders are empty before any sale', async () => {
    const event = await createEvent(app, admin);
    const list = await app.inject({ method: 'GET', url: '/api/v1/admin/events', headers: bearer(admin) });
    expect(list.statusCode).toBe(200);
    const mine = list.json().items.find((e: { id: string }) => e.id === event.id);
    expect(mine.sales).toEqual({
      soldCount: 0,
      heldCount: 0,
      availableCount: 14,
      orderCount: 0,
      revenueCents: 0,
    });
    const orders = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/events/${event.id}/orders`,
      headers: bearer(admin),
    });
    expect(orders.statusCode).toBe(200);
    expect(orders.json()).toEqual({ items: [] });
  });

  it('when a customer reads an event, then detail matches the list entry', async () => {
    const event = await createEvent(app, admin);
    const customer = await signup(app);
    const detail = await app.inject({
      method: 'GET',
      url: `/api/v1/events/${event.id}`,
      headers: bearer(customer),
    });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      id: event.id,
      title: event.title,
      seatCount: 14,
      availableCount: 14,
    });
  });
});
