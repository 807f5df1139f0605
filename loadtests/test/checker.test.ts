// The checker must catch what it exists to catch: a history it calls valid is
// only worth something if it calls broken histories broken.

import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import { testServices } from '@tickets/testkit/services';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Attempt, checkInvariants } from '../lib/checker.ts';

let app: FastifyInstance;
let pool: pg.Pool;
let eventId: string;
let buyer: TestUser;
let valid: Attempt[];

beforeAll(async () => {
  app = await buildTestApp();
  pool = new pg.Pool({ connectionString: testServices().databaseUrl, max: 2 });
  const admin = await createAdmin(app);
  eventId = (await createEvent(app, admin)).id;
  buyer = await signup(app);
  valid = [];
  for (const [key, quantity] of [
    ['k1', 2],
    ['k2', 1],
  ] as const) {
    const res = await buyNow(app, buyer, eventId, { quantity }, key);
    const order = res.json();
    valid.push({
      key,
      userId: buyer.id,
      eventId,
      outcome: 'ok',
      orderId: order.id,
      seatIds: order.seats.map((s: { id: string }) => s.id),
    });
  }
  const failed = await buyNow(app, buyer, eventId, { quantity: 100 }, 'k3');
  valid.push({ key: 'k3', userId: buyer.id, eventId, outcome: 'fail', code: failed.json().code });
});

afterAll(async () => {
  await pool?.end();
  await app?.close();
});

const ok = (history: Attempt[]) => history.filter((a) => a.outcome === 'ok');

describe('invariant checker', () => {
  it('when the history matches the database, then every invariant holds', async () => {
    const map = await seatsOf(app, eventId);
    const report = await checkInvariants(pool, {
      eventIds: [eventId],
      history: valid,
      seatMaps: [{ eventId, seats: map.seats }],
    });
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ valid: true, ok: 2, failed: 1, oversold: 0, lost: 0, phantom: 0 });
  });

  it('when two acknowledged orders claim the same seat, then I1 reports a double sale', async () => {
    const [first] = ok(valid);
    const forged: Attempt = {
      key: 'k9',
      userId: buyer.id,
      eventId,
      outcome: 'ok',
      orderId: 'other-order',
      seatIds: [first?.seatIds?.[0] as string],
    };
    const report = await checkInvariants(pool, { eventIds: [eventId], history: [...valid, forged] });
    expect(report.valid).toBe(false);
    expect(report.oversold).toBe(1);
    expect(report.violations.map((v) => v.invariant)).toContain('I1');
  });

  it('when an acknowledged order is not stored, then I2 reports it lost', async () => {
    const lost: Attempt = {
      key: 'k8',
      userId: buyer.id,
      eventId,
      outcome: 'ok',
      orderId: '00000000-0000-4000-8000-000000000001',
      seatIds: [],
    };
    const report = await checkInvariants(pool, { eventIds: [eventId], history: [...valid, lost] });
    expect(report.valid).toBe(false);
    expect(report.lost).toBe(1);
    expect(report.violations.map((v) => v.invariant)).toContain('I2');
  });

  it('when a stored order was answered as failed, or its key was never sent, then I3 reports a phantom', async () => {
    const answeredFailed = valid.map((a) =>
      a.key === 'k2' ? { ...a, outcome: 'fail' as const, orderId: undefined } : a,
    );
    const failedReport = await checkInvariants(pool, { eventIds: [eventId], history: answeredFailed });
    expect(failedReport.phantom).toBe(1);
    expect(failedReport.violations.map((v) => v.invariant)).toContain('I3');

    const unsent = valid.filter((a) => a.key !== 'k1');
    const unsentReport = await checkInvariants(pool, { eventIds: [eventId], history: unsent });
    expect(unsentReport.phantom).toBe(1);
  });

  it('when the seat map shown differs from the stored tickets, then I4 reports it', async () => {
    const map = await seatsOf(app, eventId);
    const shown = map.seats.map((s) => (s.status === 'sold' ? { ...s, status: 'available' } : s));
    const report = await checkInvariants(pool, {
      eventIds: [eventId],
      history: valid,
      seatMaps: [{ eventId, seats: shown }],
    });
    expect(report.valid).toBe(false);
    expect(report.violations.filter((v) => v.invariant === 'I4')).toHaveLength(3);
  });

  it('when an order was cancelled and its seat sold again, then only the live ticket counts', async () => {
    const admin = await createAdmin(app);
    const resold = (await createEvent(app, admin)).id;
    const seat = (await seatsOf(app, resold)).seats[0]?.id as string;
    const [first, second] = [await signup(app), await signup(app)];
    const bought = (await buyNow(app, first, resold, { seatIds: [seat] }, 'c1')).json();
    const cancel = await app.inject({
      method: 'POST',
      url: `/api/v1/admin/orders/${bought.id}/cancel`,
      headers: bearer(admin),
    });
    expect(cancel.statusCode).toBe(200);
    const again = await buyNow(app, second, resold, { seatIds: [seat] }, 'c2');
    expect(again.statusCode).toBe(201);
    const history: Attempt[] = [
      { key: 'c1', userId: first.id, eventId: resold, outcome: 'ok', orderId: bought.id, seatIds: [seat] },
      {
        key: 'c2',
        userId: second.id,
        eventId: resold,
        outcome: 'ok',
        orderId: again.json().id,
        seatIds: [seat],
      },
    ];
    const map = await seatsOf(app, resold);
    const report = await checkInvariants(pool, {
      eventIds: [resold],
      history,
      seatMaps: [{ eventId: resold, seats: map.seats }],
    });
    // The seat has two tickets, one of them cancelled: the stored seats and
    // tickets are not a double sale (I1 from the database) and the seat is sold
    // with a live ticket (I4). (The answers alone cannot know of the
    // cancellation: that part of I1 reports both orders, as it should.)
    const stored = report.violations.filter((v) => v.invariant === 'I4' || /tickets/.test(v.detail));
    expect(stored).toEqual([]);
    expect(report.violations.map((v) => v.detail)).toEqual([
      `seat ${seat} was answered as sold by orders ${bought.id} and ${again.json().id}`,
    ]);
  });

  it('when one key was answered with two different orders, then I5 reports it', async () => {
    const [first, second] = ok(valid);
    const replay: Attempt = { ...(first as Attempt), orderId: second?.orderId, seatIds: second?.seatIds };
    const report = await checkInvariants(pool, { eventIds: [eventId], history: [...valid, replay] });
    expect(report.violations.map((v) => v.invariant)).toContain('I5');
  });
});
