// The payment provider is outside our control, so here it is a recording fake:
// what matters is when the service authorizes, captures and voids.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentProvider } from '../src/domain/payments/provider.ts';
import { createTestPaymentProvider } from '../src/domain/payments/test-provider.ts';
import { pickBestSeats } from '../src/domain/purchase/pick-seats.ts';
import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from './support/app.ts';
import { buyNow, hold, orderHold } from './support/purchase.ts';

let app: FastifyInstance;
let admin: TestUser;
let calls: string[];
const real = createTestPaymentProvider();
const recorder: PaymentProvider = {
  authorize: async (r) => {
    const a = await real.authorize(r);
    calls.push(`authorize ${r.amountCents}${a.approved ? '' : ' declined'}`);
    return a;
  },
  capture: async (_ref, amount) => {
    calls.push(`capture ${amount}`);
  },
  void: async () => {
    calls.push('void');
  },
};

beforeAll(async () => {
  app = await buildTestApp();
  admin = await createAdmin(app);
  app.purchase.payments = recorder;
});
afterEach(() => {
  app.faults.afterCommit = undefined;
});
afterAll(async () => {
  await app?.close();
});

const twoPrices = {
  layout: {
    sections: [
      { name: 'Front', rows: 1, seatsPerRow: 4, priceCents: 200 },
      { name: 'Back', rows: 1, seatsPerRow: 4, priceCents: 100 },
    ],
  },
};

describe('payments', () => {
  it('when a purchase succeeds, then the bound is authorized and the real total captured', async () => {
    calls = [];
    const event = await createEvent(app, admin, twoPrices);
    const res = await buyNow(app, await signup(app), event.id, { quantity: 2 });
    expect(res.statusCode).toBe(201);
    expect(calls).toEqual(['authorize 400', 'capture 400']);
  });

  it('when named seats are taken, then the purchase is refused before any payment', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const front = (await hold(app, buyer, event.id, { quantity: 4 })).json();
    calls = [];
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
    calls = [];
    const refused = await buyNow(app, buyer, event.id, { seatIds: [seat] });
    expect(refused.statusCode).toBe(409);
    expect(calls).toEqual(['authorize 100', 'void']);
    expect(await app.db.order.count({ where: { eventId: event.id } })).toBe(0);
  });

  it('when a seat of another event is named, then the answer is 400 before any payment', async () => {
    const [event, other] = [
      await createEvent(app, admin, twoPrices),
      await createEvent(app, admin, twoPrices),
    ];
    const own = (await app.db.seat.findFirstOrThrow({ where: { eventId: event.id, section: 'Back' } })).id;
    const foreign = (await app.db.seat.findFirstOrThrow({ where: { eventId: other.id } })).id;
    calls = [];
    const refused = await buyNow(app, await signup(app), event.id, { seatIds: [own, foreign] });
    expect(refused.statusCode).toBe(400);
    expect(calls).toEqual([]);
  });

  it('when the answer to a COMMIT is lost, then the authorization is not voided and the retry captures it', async () => {
    calls = [];
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const key = randomUUID();
    app.faults.afterCommit = (step) => {
      if (step !== 'order') return;
      app.faults.afterCommit = undefined;
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    };
    expect((await buyNow(app, buyer, event.id, { quantity: 1 }, key)).statusCode).toBe(503);
    expect(calls).toEqual(['authorize 200']);
    const retry = await buyNow(app, buyer, event.id, { quantity: 1 }, key);
    expect(retry.statusCode).toBe(200);
    // The retry asks again under the same provider key (a provider answers it with
    // the same authorization), finds its key stored with the order, and captures
    // that order's authorization; nothing is voided.
    expect(calls).toEqual(['authorize 200', 'authorize 200', 'capture 200']);
  });

  it('when best-N may only spend what was authorized, then it picks among the seats that cost no more', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const picked = await app.db.$transaction((tx) => pickBestSeats(tx, event.id, 2, 100));
    const seats = await app.db.seat.findMany({ where: { id: { in: picked } } });
    expect(seats.map((s) => s.priceCents)).toEqual([100, 100]);
  });
});

describe('races around one hold', () => {
  it('when a hold is bought twice at once with two keys, then one order succeeds and the other is told it was bought', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 2 })).json();
    const answers = await Promise.all([orderHold(app, buyer, h.id), orderHold(app, buyer, h.id)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    expect(answers.find((a) => a.statusCode === 409)?.json().code).toBe('SEAT_UNAVAILABLE');
    expect(await app.db.order.count({ where: { holdId: h.id } })).toBe(1);
  });

  it('when a hold is released while it is being bought, then the answers agree with what was stored', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 2 })).json();
    const [order, release] = await Promise.all([
      orderHold(app, buyer, h.id),
      app.inject({
        method: 'DELETE',
        url: `/api/v1/holds/${h.id}`,
        headers: { authorization: `Bearer ${buyer.token}` },
      }),
    ]);
    const stored = await app.db.order.count({ where: { holdId: h.id } });
    if (order.statusCode === 201) {
      expect(release.statusCode).toBe(409);
      expect(stored).toBe(1);
    } else {
      expect(order.json().code).toBe('HOLD_EXPIRED');
      expect(release.statusCode).toBe(204);
      expect(stored).toBe(0);
    }
  });
});
