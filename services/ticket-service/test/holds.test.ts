import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { hold, orderHold, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/processes.ts';

let app: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  app = await buildTestApp({ holdTtlSeconds: 1, holdSweepIntervalMs: 100 });
  admin = await createAdmin(app);
});
afterAll(async () => {
  await app?.close();
});

const arena = {
  layout: {
    sections: [
      { name: 'Floor', rows: 3, seatsPerRow: 8, priceCents: 9000 },
      { name: 'Balcony', rows: 2, seatsPerRow: 6, priceCents: 4000 },
    ],
  },
};

describe('holds', () => {
  it('when a buyer holds seats by id, then they turn held, the hold shows them and the total', async () => {
    const event = await createEvent(app, admin, arena);
    const buyer = await signup(app);
    const map = await seatsOf(app, event.id);
    const chosen = map.seats.filter((s) => s.section === 'Floor').slice(0, 2);
    const res = await hold(app, buyer, event.id, { seatIds: chosen.map((s) => s.id) });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ eventId: event.id, totalCents: 18000, currency: 'EUR', status: 'active' });
    expect(body.seats.map((s: { id: string }) => s.id).sort()).toEqual(chosen.map((s) => s.id).sort());
    expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
    const after = await seatsOf(app, event.id);
    expect(after.version).toBeGreaterThan(map.version);
    expect(
      after.seats
        .filter((s) => s.status === 'held')
        .map((s) => s.id)
        .sort(),
    ).toEqual(chosen.map((s) => s.id).sort());
    const got = await app.inject({ method: 'GET', url: `/api/v1/holds/${body.id}`, headers: bearer(buyer) });
    expect(got.statusCode).toBe(200);
    expect(got.json().id).toBe(body.id);
  });

  it('when a seat is already held, then a second hold is 409 SEAT_UNAVAILABLE naming it and holds nothing', async () => {
    const event = await createEvent(app, admin, arena);
    const [a, b] = [await signup(app), await signup(app)];
    const [s1, s2, s3] = (await seatsOf(app, event.id)).seats;
    expect((await hold(app, a, event.id, { seatIds: [s1?.id] })).statusCode).toBe(201);
    const res = await hold(app, b, event.id, { seatIds: [s2?.id, s1?.id, s3?.id] });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'SEAT_UNAVAILABLE', unavailable: [s1?.id] });
    const map = await seatsOf(app, event.id);
    expect(map.seats.filter((s) => s.status === 'held').map((s) => s.id)).toEqual([s1?.id]);
  });

  it('when a buyer asks for the best N, then they get N adjacent seats in the front row of the best section', async () => {
    const event = await createEvent(app, admin, arena);
    const buyer = await signup(app);
    const res = await hold(app, buyer, event.id, { quantity: 4 });
    expect(res.statusCode).toBe(201);
    const seats = res.json().seats as { section: string; row: number; number: number }[];
    expect(new Set(seats.map((s) => s.section))).toEqual(new Set(['Floor']));
    expect(new Set(seats.map((s) => s.row))).toEqual(new Set([1]));
    const numbers = seats.map((s) => s.number).sort((x, y) => x - y);
    expect(numbers).toEqual([3, 4, 5, 6]); // centred in a row of 8
  });

  it('when the front row has no run long enough, then the best N come from the next row that has one', async () => {
    const event = await createEvent(app, admin, arena);
    const buyer = await signup(app);
    const row1 = (await seatsOf(app, event.id)).seats.filter((s) => s.section === 'Floor' && s.row === 1);
    // Leave only runs of 3 in row 1: hold seats 4 and 8.
    await hold(app, buyer, event.id, {
      seatIds: row1.filter((s) => s.number === 4 || s.number === 8).map((s) => s.id),
    });
    const res = await hold(app, buyer, event.id, { quantity: 4 });
    const seats = res.json().seats as { section: string; row: number; number: number }[];
    expect(seats.every((s) => s.section === 'Floor' && s.row === 2)).toBe(true);
    const numbers = seats.map((s) => s.number).sort((x, y) => x - y);
    expect((numbers[3] ?? 0) - (numbers[0] ?? 0)).toBe(3);
  });

  it('when fewer seats remain than requested, then 409 SOLD_OUT and nothing is held', async () => {
    const event = await createEvent(app, admin, {
      layout: { sections: [{ name: 'Tiny', rows: 1, seatsPerRow: 3, priceCents: 100 }] },
    });
    const buyer = await signup(app);
    expect((await hold(app, buyer, event.id, { quantity: 2 })).statusCode).toBe(201);
    const res = await hold(app, buyer, event.id, { quantity: 2 });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('SOLD_OUT');
    expect((await seatsOf(app, event.id)).seats.filter((s) => s.status === 'available')).toHaveLength(1);
  });

  it('when seats of another event are asked for, then 400 and nothing is held', async () => {
    const [e1, e2] = [await createEvent(app, admin), await createEvent(app, admin)];
    const buyer = await signup(app);
    const foreign = (await seatsOf(app, e2.id)).seats[0]?.id;
    const res = await hold(app, buyer, e1.id, { seatIds: [foreign] });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect((await seatsOf(app, e2.id)).seats.every((s) => s.status === 'available')).toBe(true);
  });

  it('when the event is closed or unknown, then holds are refused', async () => {
    const event = await createEvent(app, admin);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/events/${event.id}`,
      headers: bearer(admin),
      payload: { status: 'closed' },
    });
    const buyer = await signup(app);
    const closed = await hold(app, buyer, event.id, { quantity: 1 });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().code).toBe('SEAT_UNAVAILABLE');
    const unknown = await hold(app, buyer, '00000000-0000-4000-8000-000000000000', { quantity: 1 });
    expect(unknown.statusCode).toBe(404);
  });

  it("when another buyer reads or deletes someone's hold, then 404 and the hold stays", async () => {
    const event = await createEvent(app, admin);
    const [owner, other] = [await signup(app), await signup(app)];
    const h = (await hold(app, owner, event.id, { quantity: 1 })).json();
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await app.inject({ method, url: `/api/v1/holds/${h.id}`, headers: bearer(other) });
      expect(res.statusCode).toBe(404);
    }
    expect((await app.db.hold.findUniqueOrThrow({ where: { id: h.id } })).status).toBe('active');
  });

  it('when the buyer deletes the hold, then its seats are back on sale', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 2 })).json();
    const del = await app.inject({ method: 'DELETE', url: `/api/v1/holds/${h.id}`, headers: bearer(buyer) });
    expect(del.statusCode).toBe(204);
    expect((await seatsOf(app, event.id)).seats.every((s) => s.status === 'available')).toBe(true);
    const again = await app.inject({
      method: 'DELETE',
      url: `/api/v1/holds/${h.id}`,
      headers: bearer(buyer),
    });
    expect(again.statusCode).toBe(204);
    expect((await orderHold(app, buyer, h.id)).json().code).toBe('HOLD_EXPIRED');
  });

  it('when a hold runs out, then its seats are released with no request and ordering it is 409 HOLD_EXPIRED', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const expiredBefore = await expiredCount();
    const h = (await hold(app, buyer, event.id, { quantity: 2 })).json();
    await waitFor(
      'hold expiry',
      async () => (await app.db.hold.findUniqueOrThrow({ where: { id: h.id } })).status === 'expired',
      60_000,
    );
    expect((await seatsOf(app, event.id)).seats.every((s) => s.status === 'available')).toBe(true);
    const res = await orderHold(app, buyer, h.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('HOLD_EXPIRED');
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(0);
    const log = await app.db.auditEntry.findMany({
      where: { subject: `hold:${h.id}` },
      orderBy: { id: 'asc' },
    });
    expect(log.map((e) => [e.action, e.actor])).toEqual([
      ['hold.create', buyer.email],
      ['hold.expire', 'system'],
    ]);
    // This app is the only one of the test run that sweeps, so it counted this expiry.
    expect(await expiredCount()).toBeGreaterThanOrEqual(expiredBefore + 1);
    expect(log[1]?.replica).toBe(app.purchase.replica);
  }, 90_000);
});

async function expiredCount(): Promise<number> {
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = metrics.split('\n').find((l) => l.startsWith('tickets_holds_expired_total '));
  return Number(line?.split(' ')[1]);
}
