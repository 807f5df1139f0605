// What buying a hold (POST /holds/:holdId/order) asks of the payment provider.
import { randomUUID } from 'node:crypto';
import { createEvent, signup } from '@tickets/testkit/app';
import { DECLINED_CARD, hold, orderHold } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
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

describe('hold orders', () => {
  it('when a hold is bought, then its total is authorized, captured and the order marked captured', async () => {
    const event = await createEvent(app, admin, twoPrices);
    const buyer = await signup(app);
    const h = (await hold(app, buyer, event.id, { quantity: 2 })).json();
    calls.length = 0;
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
    calls.length = 0;
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
    calls.length = 0;
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
