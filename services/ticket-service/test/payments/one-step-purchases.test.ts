// What a one-step purchase (POST /events/:eventId/orders) asks of the payment provider:
// the bound authorized and the real total captured, voided when the sale is refused, and
// nothing asked at all when the request is refused before.
import { randomUUID } from 'node:crypto';
import { bearer, createEvent, signup, testPayments } from '@tickets/testkit/app';
import { buyNow, DECLINED_CARD, hold } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { pickBestSeats } from '../../src/domain/purchase/pick-seats.ts';
import {
  admin,
  app,
  attemptsOf,
  calls,
  dieAfterNextCommit,
  paymentOf,
  twoPrices,
  usePaymentsApp,
} from './support.ts';

usePaymentsApp();

describe('payments', () => {
  it('when a purchase succeeds, then the bound is authorized, the real total captured and the order marked captured', async () => {
    calls.length = 0;
    const event = await createEvent(app, admin, twoPrices);
    const res = await buyNow(app, await signup(app), event.id, { quantity: 2 });
    expect(res.statusCode).toBe(201);
    expect(calls).toEqual(['authorize 400', 'capture 400']);
    const payment = await paymentOf(app, res.json().id);
    expect(payment.paymentStatus).toBe('captured');
    expect(payment.capturedAt).not.toBeNull();
    expect(testPayments.authorization(payment.paymentRef as string)).toMatchObject({
      state: 'captured',
      capturedCents: 400,
      captureCalls: 1,
    });
  });

  it('when named seats are taken, then the purchase is refused before any payment', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const front = (await hold(app, buyer, event.id, { quantity: 4 })).json();
    calls.length = 0;
    const refused = await buyNow(app, buyer, event.id, { seatIds: [front.seats[0].id] });
    expect(refused.statusCode).toBe(409);
    expect(calls).toEqual([]);
  });

  it('when the sale is refused after the authorization, then the authorization is voided', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const seat = (await app.db.seat.findFirstOrThrow({ where: { eventId: event.id, section: 'Back' } })).id;
    // The quick check passes (the seat is free); the transaction finds sales closed.
    const closed = await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/events/${event.id}`,
      headers: bearer(admin),
      payload: { status: 'closed' },
    });
    expect(closed.statusCode).toBe(200);
    calls.length = 0;
    const refused = await buyNow(app, buyer, event.id, { seatIds: [seat] });
    expect(refused.statusCode).toBe(409);
    expect(calls).toEqual(['authorize 100', 'void']);
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(0);
  });

  it('when a card is declined, then nothing is bought and no authorization stays open', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const key = randomUUID();
    calls.length = 0;
    const declined = await buyNow(app, buyer, event.id, { quantity: 1, payment: DECLINED_CARD }, key);
    expect(declined.statusCode).toBe(402);
    expect(declined.json().code).toBe('PAYMENT_DECLINED');
    expect(calls).toEqual(['authorize 200 declined']);
    expect(attemptsOf(buyer, key)).toEqual([]);
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(0);
  });

  it('when a seat of another event is named, then the answer is 400 before any payment', async () => {
    const [event, other] = [
      await createEvent(app, admin, twoPrices),
      await createEvent(app, admin, twoPrices),
    ];
    const own = (await app.db.seat.findFirstOrThrow({ where: { eventId: event.id, section: 'Back' } })).id;
    const foreign = (await app.db.seat.findFirstOrThrow({ where: { eventId: other.id } })).id;
    calls.length = 0;
    const refused = await buyNow(app, await signup(app), event.id, { seatIds: [own, foreign] });
    expect(refused.statusCode).toBe(400);
    expect(calls).toEqual([]);
  });

  it("when the answer to a COMMIT is lost, then the retry voids its own authorization and captures the order's", async () => {
    calls.length = 0;
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const key = randomUUID();
    dieAfterNextCommit(app);
    const lost = await buyNow(app, buyer, event.id, { quantity: 1 }, key);
    expect(lost.statusCode).toBe(503);
    expect(calls).toEqual(['authorize 200']);
    const [stored] = await app.db.order.findMany({ where: { eventId: event.id } });
    expect((await paymentOf(app, stored?.id as string)).paymentStatus).toBe('authorized');
    const retry = await buyNow(app, buyer, event.id, { quantity: 1 }, key);
    expect(retry.statusCode).toBe(200);
    // The retry authorizes on its own, finds its key stored with the order, voids
    // its own authorization and captures the one the order was paid with.
    expect(calls).toEqual(['authorize 200', 'authorize 200', 'void', 'capture 200']);
    const payment = await paymentOf(app, retry.json().id);
    const [first, second] = attemptsOf(buyer, key);
    expect(first).toMatchObject({ reference: payment.paymentRef, state: 'captured', captureCalls: 1 });
    expect(second).toMatchObject({ state: 'voided', captureCalls: 0 });
    expect(payment.paymentStatus).toBe('captured');
    // Replayed again: the order is captured already, so nothing is captured twice.
    calls.length = 0;
    expect((await buyNow(app, buyer, event.id, { quantity: 1 }, key)).statusCode).toBe(200);
    expect(calls).toEqual(['authorize 200', 'void']);
  });

  it('when best-N may only spend what was authorized, then it picks among the seats that cost no more', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const picked = await app.db.$transaction((tx) => pickBestSeats(tx, event.id, 2, 100));
    const seats = await app.db.seat.findMany({ where: { id: { in: picked } } });
    expect(seats.map((s) => s.priceCents)).toEqual([100, 100]);
  });
});
