// The payment provider is outside our control, so here it is the stateful test
// provider (one per test file, as one provider serves every replica) behind a
// recorder: what matters is when the service authorizes, captures and voids, and
// that the books close — every authorization ends captured or voided, none
// captured after a void, none captured twice.
import { buildTestApp, createAdmin, type TestUser, testPayments } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { PaymentProvider } from '../../src/domain/payments/provider.ts';

// Set by usePaymentsApp before the file's tests run; importers see the current values
// through the live bindings.
export let app: FastifyInstance;
export let admin: TestUser;
/** What the provider was asked, in order; a test empties it before what it checks. */
export const calls: string[] = [];
/** References whose capture the provider does not answer (an outage). */
export const unreachable = new Set<string>();

export const recorder: PaymentProvider = {
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

export function usePaymentsApp(): void {
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
}

export const twoPrices = {
  layout: {
    sections: [
      { name: 'Front', rows: 1, seatsPerRow: 4, priceCents: 200 },
      { name: 'Back', rows: 1, seatsPerRow: 4, priceCents: 100 },
    ],
  },
};

/** The authorizations made for one purchase key, oldest first (each attempt has its own). */
export const attemptsOf = (buyer: TestUser, key: string) =>
  testPayments.authorizations().filter((a) => a.idempotencyKey.startsWith(`${buyer.id}:${key}:`));

/** The stored order's payment, once the server's pending capture marks are written. */
export async function paymentOf(server: FastifyInstance, orderId: string) {
  await server.purchase.captureMarks.flush();
  return server.db.order.findUniqueOrThrow({
    where: { id: orderId },
    select: { paymentRef: true, paymentStatus: true, capturedAt: true },
  });
}

/** The replica "dies" between its next order's COMMIT and the capture: the answer is lost. */
export function dieAfterNextCommit(server: FastifyInstance) {
  server.faults.afterCommit = (step) => {
    if (step !== 'order') return;
    server.faults.afterCommit = undefined;
    throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
  };
}
