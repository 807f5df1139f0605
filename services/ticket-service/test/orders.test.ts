import { randomUUID } from 'node:crypto';
import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, DECLINED_CARD, GOOD_CARD, hold, orderHold, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

let app: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  app = await buildTestApp();
  admin = await createAdmin(app);
});
afterEach(() => {
  app.faults.afterCommit = undefined;
});
afterAll(async () => {
  await app?.close();
});

describe('orders', () => {
  it('when a buyer orders a hold, then the seats are sold, the order is stored and listed in the history', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 2 })).json();
    const res = await orderHold(app, buyer, h.id);
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(order).toMatchObject({
      eventId: event.id,
      eventTitle: event.title,
      totalCents: h.totalCents,
      currency: 'EUR',
      status: 'confirmed',
    });
    expect(order.seats.map((s: { id: string }) => s.id).sort()).toEqual(
      h.seats.map((s: { id: string }) => s.id).sort(),
    );
    expect(order.seats[0].label).toMatch(/Row \d+ · Seat \d+/);
    const sold = (await seatsOf(app, event.id)).seats.filter((s) => s.status === 'sold');
    expect(sold.map((s) => s.id).sort()).toEqual(order.seats.map((s: { id: string }) => s.id).sort());
    expect(await app.db.ticket.count({ where: { orderId: order.id } })).toBe(2);

    const history = await app.inject({ method: 'GET', url: '/api/v1/orders', headers: bearer(buyer) });
    expect(history.json().items.map((o: { id: string }) => o.id)).toEqual([order.id]);
    const one = await app.inject({
      method: 'GET',
      url: `/api/v1/orders/${order.id}`,
      headers: bearer(buyer),
    });
    // The read has the tickets (with their codes, README "Tickets at the door") besides.
    const { tickets, ...rest } = one.json();
    expect(rest).toEqual(order);
    expect(tickets.map((t: { seatId: string }) => t.seatId).sort()).toEqual(
      order.seats.map((s: { id: string }) => s.id).sort(),
    );
  });

  it('when the same key and body are sent again, then the same order comes back and nothing is bought twice', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 1 })).json();
    const key = randomUUID();
    const first = await orderHold(app, buyer, h.id, key);
    const second = await orderHold(app, buyer, h.id, key);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(1);
  });

  it('when the same key comes with another body, then 409 IDEMPOTENCY_CONFLICT', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const key = randomUUID();
    expect((await buyNow(app, buyer, event.id, { quantity: 1 }, key)).statusCode).toBe(201);
    const res = await buyNow(app, buyer, event.id, { quantity: 2 }, key);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await app.db.ticket.count({ where: { eventId: event.id } })).toBe(1);
  });

  it('when the Idempotency-Key header is missing, then 400 and nothing is bought', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 1 })).json();
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/holds/${h.id}/order`,
      headers: bearer(buyer),
      payload: { payment: GOOD_CARD },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(0);
  });

  it('when the card is declined, then 402, nothing is sold and the hold stays for another card', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 2 })).json();
    const res = await orderHold(app, buyer, h.id, randomUUID(), DECLINED_CARD);
    expect(res.statusCode).toBe(402);
    expect(res.json().code).toBe('PAYMENT_DECLINED');
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(0);
    expect((await seatsOf(app, event.id)).seats.filter((s) => s.status === 'sold')).toHaveLength(0);
    expect((await orderHold(app, buyer, h.id)).statusCode).toBe(201);
  });

  it('when a one-step purchase is declined, then nothing is left behind: no order, no hold, seats available', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const res = await app.inject({
      method: 'POST',
      url: `/api/v1/events/${event.id}/orders`,
      headers: { ...bearer(buyer), 'idempotency-key': randomUUID() },
      payload: { quantity: 3, payment: DECLINED_CARD },
    });
    expect(res.statusCode).toBe(402);
    expect((await seatsOf(app, event.id)).seats.every((s) => s.status === 'available')).toBe(true);
    expect(await app.db.hold.count({ where: { eventId: event.id, status: 'active' } })).toBe(0);
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(0);
  });

  it('when a one-step purchase names taken seats, then 409 SEAT_UNAVAILABLE and nothing changes', async () => {
    const event = await createEvent(app, admin);
    const [a, b] = [await signup(app), await signup(app)];
    const [s1, s2] = (await seatsOf(app, event.id)).seats;
    expect((await buyNow(app, a, event.id, { seatIds: [s1?.id] })).statusCode).toBe(201);
    const res = await buyNow(app, b, event.id, { seatIds: [s2?.id, s1?.id] });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'SEAT_UNAVAILABLE', unavailable: [s1?.id] });
    const map = await seatsOf(app, event.id);
    expect(map.seats.find((s) => s.id === s2?.id)?.status).toBe('available');
  });

  it('when the answer to a COMMIT is lost, then 503, and the retry with the same key returns the stored order', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const key = randomUUID();
    app.faults.afterCommit = (step) => {
      if (step === 'order') {
        app.faults.afterCommit = undefined;
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      }
    };
    const lost = await buyNow(app, buyer, event.id, { quantity: 2 }, key);
    expect(lost.statusCode).toBe(503);
    expect(lost.json().code).toBe('UNAVAILABLE');
    const stored = await app.db.order.findMany({ where: { eventId: event.id } });
    expect(stored).toHaveLength(1);
    const retry = await buyNow(app, buyer, event.id, { quantity: 2 }, key);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(stored[0]?.id);
    expect(await app.db.ticket.count({ where: { eventId: event.id } })).toBe(2);
  });

  it("when another customer asks for someone's order, then 404; an admin sees it", async () => {
    const event = await createEvent(app, admin);
    const [buyer, other] = [await signup(app), await signup(app)];
    const order = (await buyNow(app, buyer, event.id, { quantity: 1 })).json();
    const theirs = await app.inject({
      method: 'GET',
      url: `/api/v1/orders/${order.id}`,
      headers: bearer(other),
    });
    expect(theirs.statusCode).toBe(404);
    const adminView = await app.inject({
      method: 'GET',
      url: `/api/v1/orders/${order.id}`,
      headers: bearer(admin),
    });
    expect(adminView.statusCode).toBe(200);
    expect(adminView.json().id).toBe(order.id);
  });

  it('when orders exist, then the admin sees them per event with buyer emails and totals that match the tickets', async () => {
    const event = await createEvent(app, admin);
    const [b1, b2] = [await signup(app), await signup(app)];
    const o1 = (await buyNow(app, b1, event.id, { quantity: 2 })).json();
    const o2 = (await buyNow(app, b2, event.id, { quantity: 1 })).json();
    await hold(app, b2, event.id, { quantity: 1 });
    const orders = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/events/${event.id}/orders`,
      headers: bearer(admin),
    });
    expect(orders.json().items.map((o: { id: string; userEmail: string }) => [o.id, o.userEmail])).toEqual([
      [o2.id, b2.email],
      [o1.id, b1.email],
    ]);
    const list = await app.inject({ method: 'GET', url: '/api/v1/admin/events', headers: bearer(admin) });
    const sales = list.json().items.find((e: { id: string }) => e.id === event.id).sales;
    expect(sales).toEqual({
      soldCount: 3,
      heldCount: 1,
      availableCount: 10,
      orderCount: 2,
      revenueCents: o1.totalCents + o2.totalCents,
    });
    expect(await app.db.ticket.count({ where: { eventId: event.id } })).toBe(sales.soldCount);
  });
});
