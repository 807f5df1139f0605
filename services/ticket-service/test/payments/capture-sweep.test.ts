// The capture sweep (src/domain/payments/capture-sweep.ts): an order whose replica died
// between COMMIT and capture is captured once, after the grace period, and logged.
import { randomUUID } from 'node:crypto';
import {
  buildTestApp,
  createAdmin,
  createEvent,
  signup,
  type TestUser,
  testPayments,
} from '@tickets/testkit/app';
import { buyNow, hold, orderHold } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sweepCaptures } from '../../src/domain/payments/capture-sweep.ts';
import { ownDatabase } from '../support/databases.ts';
import { waitFor } from '../support/processes.ts';
import { calls, dieAfterNextCommit, recorder, twoPrices, unreachable, usePaymentsApp } from './support.ts';

usePaymentsApp();

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
    calls.length = 0;
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
    calls.length = 0;
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
