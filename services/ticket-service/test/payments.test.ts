// The payment provider is outside our control, so here it is the stateful test
// provider (one for the whole file, as one provider serves every replica) behind
// a recorder: what matters is when the service authorizes, captures and voids,
// and that the books close — every authorization ends captured or voided, none
// captured after a void, none captured twice.
import { randomUUID } from 'node:crypto';
import {
  bearer,
  buildTestApp,
  createAdmin,
  createEvent,
  signup,
  type TestUser,
  testPayments,
} from '@tickets/testkit/app';
import { buyNow, DECLINED_CARD, hold, orderHold, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sweepCaptures } from '../src/domain/payments/capture-sweep.ts';
import type { PaymentProvider } from '../src/domain/payments/provider.ts';
import { pickBestSeats } from '../src/domain/purchase/pick-seats.ts';
import { ownDatabase } from './support/databases.ts';
import { waitFor } from './support/processes.ts';

let app: FastifyInstance;
let admin: TestUser;
let calls: string[] = [];
/** References whose capture the provider does not answer (an outage). */
const unreachable = new Set<string>();
const recorder: PaymentProvider = {
  authorize: async (r) => {
    const a = await testPayments.authorize(r);
    calls.push(`authorize ${r.amountCents}${a.approved ? '' : ' declined'}`);
    return a;
  },
  capture: async (ref, amount) => {
    calls.push(`capture ${amount}`);
    if (unreachable.has(ref)) throw new Error('the payment provider is unreachable');
    await testPayments.capture(ref, amount);
  },
  void: async (ref) => {
    calls.push('void');
    await testPayments.void(ref);
  },
  refund: async (ref, amount) => {
    calls.push(`refund ${amount}`);
    await testPayments.refund(ref, amount);
  },
};

beforeAll(async () => {
  app = await buildTestApp({}, { payments: recorder });
  admin = await createAdmin(app);
});
afterEach(() => {
  app.faults.afterCommit = undefined;
  unreachable.clear();
  // The books close after every test: nothing refused, nothing left open.
  expect(testPayments.violations.splice(0)).toEqual([]);
  expect(testPayments.authorizations().filter((a) => a.state === 'authorized')).toEqual([]);
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

/** The authorizations made for one purchase key, oldest first (each attempt has its own). */
const attemptsOf = (buyer: TestUser, key: string) =>
  testPayments.authorizations().filter((a) => a.idempotencyKey.startsWith(`${buyer.id}:${key}:`));

/** The stored order's payment, once the server's pending capture marks are written. */
async function paymentOf(server: FastifyInstance, orderId: string) {
  await server.purchase.captureMarks.flush();
  return server.db.order.findUniqueOrThrow({
    where: { id: orderId },
    select: { paymentRef: true, paymentStatus: true, capturedAt: true },
  });
}

/** The replica "dies" between its next order's COMMIT and the capture: the answer is lost. */
function dieAfterNextCommit(server: FastifyInstance) {
  server.faults.afterCommit = (step) => {
    if (step !== 'order') return;
    server.faults.afterCommit = undefined;
    throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
  };
}

const backSeats = async (server: FastifyInstance, eventId: string) =>
  (await seatsOf(server, eventId)).seats.filter((s) => s.section === 'Back').map((s) => s.id);

describe('payments', () => {
  it('when a purchase succeeds, then the bound is authorized, the real total captured and the order marked captured', async () => {
    calls = [];
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

  it('when a card is declined, then nothing is bought and no authorization stays open', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const key = randomUUID();
    calls = [];
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
    calls = [];
    const refused = await buyNow(app, await signup(app), event.id, { seatIds: [own, foreign] });
    expect(refused.statusCode).toBe(400);
    expect(calls).toEqual([]);
  });

  it("when the answer to a COMMIT is lost, then the retry voids its own authorization and captures the order's", async () => {
    calls = [];
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
    calls = [];
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

describe('hold orders', () => {
  it('when a hold is bought, then its total is authorized, captured and the order marked captured', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 2 })).json();
    calls = [];
    const res = await orderHold(app, buyer, h.id);
    expect(res.statusCode).toBe(201);
    expect(calls).toEqual(['authorize 400', 'capture 400']);
    expect((await paymentOf(app, res.json().id)).paymentStatus).toBe('captured');
  });

  it('when the card is declined, then the hold stays, no authorization stays open, and another card can pay', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 1 })).json();
    const key = randomUUID();
    calls = [];
    const declined = await orderHold(app, buyer, h.id, key, DECLINED_CARD);
    expect(declined.statusCode).toBe(402);
    expect(calls).toEqual(['authorize 200 declined']);
    expect(attemptsOf(buyer, key)).toEqual([]);
    expect((await app.db.hold.findUniqueOrThrow({ where: { id: h.id } })).status).toBe('active');
    const paid = await orderHold(app, buyer, h.id);
    expect(paid.statusCode).toBe(201);
    expect((await paymentOf(app, paid.json().id)).paymentStatus).toBe('captured');
  });

  it("when the answer to a hold order's COMMIT is lost, then the retry authorizes nothing and captures the order's authorization", async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 1 })).json();
    const key = randomUUID();
    calls = [];
    dieAfterNextCommit(app);
    expect((await orderHold(app, buyer, h.id, key)).statusCode).toBe(503);
    const retry = await orderHold(app, buyer, h.id, key);
    expect(retry.statusCode).toBe(200);
    expect(calls).toEqual(['authorize 200', 'capture 200']);
    const payment = await paymentOf(app, retry.json().id);
    expect(attemptsOf(buyer, key)).toEqual([
      expect.objectContaining({ reference: payment.paymentRef, state: 'captured', captureCalls: 1 }),
    ]);
    expect(payment.paymentStatus).toBe('captured');
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

describe('a retry after a 503', () => {
  let stalling: FastifyInstance;
  beforeAll(async () => {
    // Short leases, so that a stalled holder loses its lock quickly.
    stalling = await buildTestApp({ replicaId: 'payments-stalling', lockTtlMs: 400 }, { payments: recorder });
  });
  afterEach(() => {
    stalling.faults.inCriticalSection = undefined;
  });
  afterAll(async () => {
    await stalling?.close();
  });

  /**
   * The next write of `stalling` stalls, after its authorization, until its
   * lease has run out and the other replica has bought `seat`: it is fenced
   * out, writes nothing and answers 503 — a failure after authorizing.
   */
  function fenceOutNextWrite(other: TestUser, eventId: string, seat: string) {
    const meanwhile: { status?: number } = {};
    stalling.faults.inCriticalSection = async () => {
      stalling.faults.inCriticalSection = undefined;
      meanwhile.status = (await buyNow(app, other, eventId, { seatIds: [seat] })).statusCode;
    };
    return meanwhile;
  }

  it('when a one-step purchase is fenced out after authorizing, then its retry pays with an authorization of its own, captured once, and the voided one is never captured', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const [buyer, other] = [await signup(app), await signup(app)];
    const [mine, theirs] = await backSeats(app, event.id);
    const key = randomUUID();
    const meanwhile = fenceOutNextWrite(other, event.id, theirs as string);
    const first = await buyNow(stalling, buyer, event.id, { seatIds: [mine] }, key);
    expect(meanwhile.status).toBe(201);
    expect(first.statusCode).toBe(503);
    expect(attemptsOf(buyer, key).map((a) => a.state)).toEqual(['voided']);

    const retry = await buyNow(stalling, buyer, event.id, { seatIds: [mine] }, key);
    expect(retry.statusCode).toBe(201);
    const payment = await paymentOf(stalling, retry.json().id);
    const [voided, paidWith] = attemptsOf(buyer, key);
    expect(voided).toMatchObject({ state: 'voided', captureCalls: 0 });
    expect(paidWith).toMatchObject({
      reference: payment.paymentRef,
      state: 'captured',
      capturedCents: 100,
      captureCalls: 1,
    });
    expect(payment.paymentStatus).toBe('captured');
  });

  it('when a hold order is fenced out after authorizing, then its retry pays with an authorization of its own, captured once', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const [buyer, other] = [await signup(app), await signup(app)];
    const [mine, theirs] = await backSeats(app, event.id);
    const h = (await hold(app, buyer, event.id, { seatIds: [mine] })).json();
    const key = randomUUID();
    const meanwhile = fenceOutNextWrite(other, event.id, theirs as string);
    const first = await orderHold(stalling, buyer, h.id, key);
    expect(meanwhile.status).toBe(201);
    expect(first.statusCode).toBe(503);
    expect(attemptsOf(buyer, key).map((a) => a.state)).toEqual(['voided']);

    const retry = await orderHold(stalling, buyer, h.id, key);
    expect(retry.statusCode).toBe(201);
    const payment = await paymentOf(stalling, retry.json().id);
    const [voided, paidWith] = attemptsOf(buyer, key);
    expect(voided).toMatchObject({ state: 'voided', captureCalls: 0 });
    expect(paidWith).toMatchObject({ reference: payment.paymentRef, state: 'captured', captureCalls: 1 });
    expect(payment.paymentStatus).toBe('captured');
  });
});

describe('the capture sweep', () => {
  // A database of its own: the sweep takes every stranded order it can see.
  let database: Awaited<ReturnType<typeof ownDatabase>>;
  let server: FastifyInstance;
  let owner: TestUser;
  beforeAll(async () => {
    database = await ownDatabase('payments');
    server = await buildTestApp(
      { databaseUrl: database.url, replicaId: 'payments-sweep' },
      { payments: recorder },
    );
    owner = await createAdmin(server);
  });
  afterEach(() => {
    server.faults.afterCommit = undefined;
  });
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  const sweep = (graceMs = 0) => sweepCaptures(server.purchase, { graceMs });

  /** A committed order whose replica died before capturing it. */
  async function strandedOrder(eventId: string, buyer: TestUser, key = randomUUID()) {
    dieAfterNextCommit(server);
    expect((await buyNow(server, buyer, eventId, { quantity: 1 }, key)).statusCode).toBe(503);
    const order = await server.db.order.findFirstOrThrow({
      where: { eventId, userId: buyer.id },
      orderBy: { createdAt: 'desc' },
    });
    expect(order.paymentStatus).toBe('authorized');
    return order;
  }

  const sweptLog = (orderId: string) =>
    server.db.auditEntry.findMany({
      where: { action: 'payment.captured_by_sweep', subject: `order:${orderId}` },
    });

  it('when a replica dies between COMMIT and capture, then after the grace period the sweep captures the order once, marks it and logs it', async () => {
    const event = await createEvent(server, owner, twoPrices);
    const buyer = await signup(server);
    const key = randomUUID();
    calls = [];
    const order = await strandedOrder(event.id, buyer, key);
    expect(calls).toEqual(['authorize 200']);
    // Young orders are left to the request capturing them.
    expect(await sweep(60_000)).toEqual({ captured: 0, failed: 0, deferred: 0 });
    expect(calls).toEqual(['authorize 200']);

    expect(await sweep()).toEqual({ captured: 1, failed: 0, deferred: 0 });
    expect(calls).toEqual(['authorize 200', 'capture 200']);
    const settled = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
    expect(settled.paymentStatus).toBe('captured');
    expect(settled.capturedAt).not.toBeNull();
    expect(testPayments.authorization(order.paymentRef as string)).toMatchObject({
      state: 'captured',
      capturedCents: 200,
      captureCalls: 1,
    });
    const log = await sweptLog(order.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      replica: 'payments-sweep',
      actor: 'system',
      actorId: null,
      detail: { eventId: event.id, paymentRef: order.paymentRef, amountCents: 200 },
    });

    // Settled: the next sweep finds nothing, and the buyer's retry captures nothing again.
    expect(await sweep()).toEqual({ captured: 0, failed: 0, deferred: 0 });
    calls = [];
    expect((await buyNow(server, buyer, event.id, { quantity: 1 }, key)).statusCode).toBe(200);
    expect(calls).toEqual(['authorize 200', 'void']);
  });

  it('when the provider fails a capture, then that order waits its turn while the others are settled', async () => {
    const event = await createEvent(server, owner, twoPrices);
    const [a, b] = [await signup(server), await signup(server)];
    const failing = await strandedOrder(event.id, a);
    const fine = await strandedOrder(event.id, b);
    unreachable.add(failing.paymentRef as string);

    expect(await sweep()).toEqual({ captured: 1, failed: 1, deferred: 0 });
    expect((await server.db.order.findUniqueOrThrow({ where: { id: fine.id } })).paymentStatus).toBe(
      'captured',
    );
    // The failed one is claimed for a while: the next sweeps do not keep retrying it.
    expect(await sweep()).toEqual({ captured: 0, failed: 0, deferred: 0 });
    expect(await sweptLog(failing.id)).toEqual([]);

    // Once its claim is old, it is tried again.
    unreachable.clear();
    await server.db.order.update({
      where: { id: failing.id },
      data: { captureClaimedAt: new Date(Date.now() - 10 * 60_000) },
    });
    expect(await sweep()).toEqual({ captured: 1, failed: 0, deferred: 0 });
    expect((await server.db.order.findUniqueOrThrow({ where: { id: failing.id } })).paymentStatus).toBe(
      'captured',
    );
    expect(await sweptLog(failing.id)).toHaveLength(1);
    expect(testPayments.authorization(failing.paymentRef as string)?.captureCalls).toBe(1);
  });

  it("when a hold order's replica dies between COMMIT and capture, then the sweep settles it too", async () => {
    const event = await createEvent(server, owner, twoPrices);
    const buyer = await signup(server);
    const h = (await hold(server, buyer, event.id, { quantity: 2 })).json();
    dieAfterNextCommit(server);
    expect((await orderHold(server, buyer, h.id)).statusCode).toBe(503);
    const order = await server.db.order.findUniqueOrThrow({ where: { holdId: h.id } });
    expect(order.paymentStatus).toBe('authorized');
    expect(await sweep()).toEqual({ captured: 1, failed: 0, deferred: 0 });
    expect((await server.db.order.findUniqueOrThrow({ where: { id: order.id } })).paymentStatus).toBe(
      'captured',
    );
    expect(await sweptLog(order.id)).toHaveLength(1);
  });

  it('when a replica runs, then its sweeper settles a stranded order by itself once the grace period is over', async () => {
    const sweeper = await buildTestApp(
      {
        databaseUrl: database.url,
        replicaId: 'payments-sweeper',
        captureSweepIntervalMs: 100,
        captureGraceMs: 500,
      },
      { payments: recorder },
    );
    try {
      const event = await createEvent(server, owner, twoPrices);
      const order = await strandedOrder(event.id, await signup(server));
      await waitFor('the sweeper to capture the order', async () => {
        const now = await server.db.order.findUniqueOrThrow({ where: { id: order.id } });
        return now.paymentStatus === 'captured';
      });
      expect((await sweptLog(order.id)).map((e) => e.replica)).toEqual(['payments-sweeper']);
    } finally {
      await sweeper.close();
    }
  });
});
