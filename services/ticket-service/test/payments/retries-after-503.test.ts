// A purchase fenced out after authorizing answers 503; its retry pays with an
// authorization of its own, captured once, and the voided one is never captured.
import { randomUUID } from 'node:crypto';
import { buildTestApp, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, hold, orderHold, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { admin, app, attemptsOf, paymentOf, recorder, twoPrices, usePaymentsApp } from './support.ts';

usePaymentsApp();

const backSeats = async (server: FastifyInstance, eventId: string) =>
  (await seatsOf(server, eventId)).seats.filter((s) => s.section === 'Back').map((s) => s.id);

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
