// Cancellations with refunds (issue #13 item 4): an admin cancels an order; its
// seats go back on sale (fenced, published to the seat feed every replica relays
// to its streams and seat views), the sales figures and the buyer's count drop,
// the payment is refunded once, a second cancel is harmless, a checked-in ticket
// cannot be cancelled, and the buyer sees the cancelled order.
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
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepRefunds } from '../src/domain/orders/refunds.ts';
import type { PaymentProvider } from '../src/domain/payments/provider.ts';
import type { SeatFeedMessage } from '../src/lib/seat-feed.ts';

let a: FastifyInstance;
let b: FastifyInstance;
let admin: TestUser;

beforeAll(async () => {
  a = await buildTestApp({ replicaId: 'cancel-a' });
  b = await buildTestApp({ replicaId: 'cancel-b' });
  admin = await createAdmin(a);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

async function paymentOf(app: FastifyInstance, orderId: string) {
  const [row] = await app.db.$queryRawUnsafe<
    { payment_ref: string; refunded_at: Date | null; status: string; cancelled_by: string | null }[]
  >(`SELECT payment_ref, refunded_at, status, cancelled_by::text FROM orders WHERE id = $1::uuid`, orderId);
  return row as NonNullable<typeof row>;
}

const cancel = (app: FastifyInstance, orderId: string, who: TestUser = admin) =>
  app.inject({ method: 'POST', url: `/api/v1/admin/orders/${orderId}/cancel`, headers: bearer(who) });

async function salesOf(app: FastifyInstance, eventId: string) {
  const res = await app.inject({ method: 'GET', url: '/api/v1/admin/events', headers: bearer(admin) });
  return res.json().items.find((e: { id: string }) => e.id === eventId).sales;
}

async function until(check: () => boolean | Promise<boolean>, ms = 5_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('POST /admin/orders/:orderId/cancel', () => {
  it('puts the seats back on sale and on the stream, refunds once, and is idempotent', async () => {
    const event = await createEvent(a, admin, { maxTicketsPerCustomer: 2 });
    const buyer = await signup(a, 'canceller');
    const seats = (await seatsOf(a, event.id)).seats.slice(0, 2).map((s) => s.id);
    const bought = await buyNow(a, buyer, event.id, { seatIds: seats });
    expect(bought.statusCode).toBe(201);
    const order = bought.json();
    const before = await salesOf(a, event.id);
    expect(before).toMatchObject({ soldCount: 2, orderCount: 1, revenueCents: order.totalCents });

    // Another replica relays the change to its streams and seat view.
    const heard: SeatFeedMessage[] = [];
    const stop = b.seatFeed.subscribe(event.id, (m) => heard.push(m));
    const res = await cancel(a, order.id);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: order.id, status: 'cancelled', totalCents: order.totalCents });
    expect(res.json().cancelledAt).toEqual(expect.any(String));
    await until(() => heard.some((m) => m.changes.length === 2));
    stop();
    const change = heard.find((m) => m.changes.length === 2) as SeatFeedMessage;
    expect(change.changes.map((c) => c.id).sort()).toEqual([...seats].sort());
    expect(change.changes.every((c) => c.status === 'available' && !c.owner)).toBe(true);

    const map = await seatsOf(b, event.id);
    expect(map.seats.filter((s) => seats.includes(s.id)).map((s) => s.status)).toEqual([
      'available',
      'available',
    ]);
    expect(await salesOf(a, event.id)).toMatchObject({ soldCount: 0, orderCount: 0, revenueCents: 0 });

    // Refunded once, in full, and recorded.
    const paid = await paymentOf(a, order.id);
    expect(paid.status).toBe('cancelled');
    expect(paid.cancelled_by).toBe(admin.id);
    expect(paid.refunded_at).not.toBeNull();
    const auth = testPayments.authorization(paid.payment_ref);
    expect(auth).toMatchObject({ state: 'captured', refundedCents: order.totalCents, refundCalls: 1 });

    // Again, on the other replica: the cancelled order, no second refund.
    const again = await cancel(b, order.id);
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('cancelled');
    expect(testPayments.authorization(paid.payment_ref)?.refundCalls).toBe(1);
    expect(testPayments.violations).toEqual([]);

    // The operation log says who.
    const log = await a.db.auditEntry.findMany({ where: { subject: `order:${order.id}` } });
    expect(log.filter((e) => e.action === 'order.cancel').map((e) => e.actor)).toEqual([admin.email]);
    expect(log.filter((e) => e.action === 'payment.refunded')).toHaveLength(1);

    // The buyer sees it in the history.
    const history = await a.inject({ method: 'GET', url: '/api/v1/orders', headers: bearer(buyer) });
    expect(history.json().items).toEqual([expect.objectContaining({ id: order.id, status: 'cancelled' })]);
    const one = await a.inject({ method: 'GET', url: `/api/v1/orders/${order.id}`, headers: bearer(buyer) });
    expect(one.json()).toMatchObject({ status: 'cancelled', seats: expect.any(Array) });

    // The seats sell again, and the buyer's limit counts them no more (2 of 2 again).
    const rebought = await buyNow(b, buyer, event.id, { seatIds: seats });
    expect(rebought.statusCode).toBe(201);
    expect(await salesOf(a, event.id)).toMatchObject({ soldCount: 2, orderCount: 1 });
  });

  it('refuses an order with a checked-in ticket, and changes nothing', async () => {
    const event = await createEvent(a, admin);
    const buyer = await signup(a, 'at-the-door');
    const bought = (await buyNow(a, buyer, event.id, { quantity: 2 })).json();
    await a.db.$executeRawUnsafe(
      `UPDATE tickets SET checked_in_at = now() WHERE id = (SELECT id FROM tickets WHERE order_id = $1::uuid LIMIT 1)`,
      bought.id,
    );
    const res = await cancel(a, bought.id);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('TICKET_CHECKED_IN');
    const paid = await paymentOf(a, bought.id);
    expect(paid.status).toBe('confirmed');
    expect(testPayments.authorization(paid.payment_ref)?.refundCalls).toBe(0);
    const sold = (await seatsOf(a, event.id)).seats.filter((s) => s.status === 'sold');
    expect(sold).toHaveLength(2);
  });

  it('is for admins only; an unknown order is 404', async () => {
    const buyer = await signup(a, 'not-admin');
    expect((await cancel(a, randomUUID(), buyer)).statusCode).toBe(403);
    expect((await cancel(a, randomUUID())).statusCode).toBe(404);
  });

  it('a refund that fails is left claimed and the refund sweep settles it, once', async () => {
    let failing = true;
    const flaky: PaymentProvider = {
      authorize: (r) => testPayments.authorize(r),
      capture: (ref, amount) => testPayments.capture(ref, amount),
      void: (ref) => testPayments.void(ref),
      refund: async (ref, amount) => {
        if (failing) throw new Error('the payment provider is unreachable');
        await testPayments.refund(ref, amount);
      },
    };
    const c = await buildTestApp({ replicaId: 'cancel-flaky' }, { payments: flaky });
    try {
      const event = await createEvent(c, admin);
      const buyer = await signup(c, 'refund-later');
      const bought = (await buyNow(c, buyer, event.id, { quantity: 1 })).json();
      const res = await cancel(c, bought.id);
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('cancelled');
      const paid = await paymentOf(c, bought.id);
      expect(paid.refunded_at).toBeNull();

      // Still claimed by the cancellation: the sweep leaves it alone.
      failing = false;
      await sweepRefunds(c.purchase);
      expect((await paymentOf(c, bought.id)).refunded_at).toBeNull();
      // Once the claim ran out (moved back here), the sweep refunds it.
      await c.db.$executeRawUnsafe(
        `UPDATE orders SET refund_claimed_at = now() - interval '2 minutes' WHERE id = $1::uuid`,
        bought.id,
      );
      await sweepRefunds(c.purchase);
      expect((await paymentOf(c, bought.id)).refunded_at).not.toBeNull();
      expect(testPayments.authorization(paid.payment_ref)).toMatchObject({
        refundedCents: bought.totalCents,
        refundCalls: 1,
      });
      // A sweep after it finds nothing to do.
      await sweepRefunds(c.purchase);
      expect(testPayments.authorization(paid.payment_ref)?.refundCalls).toBe(1);
    } finally {
      await c.close();
    }
  });
});
