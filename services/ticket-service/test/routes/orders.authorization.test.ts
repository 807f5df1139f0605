// Who may call src/routes/orders.ts: any signed-in buyer, and only on their own orders;
// someone else's order is as good as missing, and /orders is the caller's own history.
import { bearer, createAdmin, signup } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { API_PREFIX } from '../support/routes.ts';
import { app, useAuthorizationApp } from './support/authorization/app.ts';
import { expectNotFound, orderedBy } from './support/authorization/fixtures.ts';
import { itAnswersAsTheRowsAllow } from './support/authorization/matrix.ts';
import { ORDERS_ROWS } from './support/authorization/rows/orders.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(ORDERS_ROWS);
});

describe("other buyers' holds and orders", () => {
  it("when a customer reads someone else's order, then 404 NOT_FOUND, and it is not in their history", async () => {
    const buyer = await signup(app, 'buyer');
    const { orderId } = await orderedBy(buyer);
    const other = await signup(app, 'other');
    expectNotFound(
      await app.inject({ method: 'GET', url: `${API_PREFIX}/orders/${orderId}`, headers: bearer(other) }),
    );
    const list = await app.inject({ method: 'GET', url: `${API_PREFIX}/orders`, headers: bearer(other) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([]);
  });

  it("when an admin lists /orders, then it is the admin's own history, not everyone's", async () => {
    const buyer = await signup(app, 'buyer');
    const { orderId } = await orderedBy(buyer);
    const admin = await createAdmin(app);
    const list = await app.inject({ method: 'GET', url: `${API_PREFIX}/orders`, headers: bearer(admin) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((o: { id: string }) => o.id)).not.toContain(orderId);
    const one = await app.inject({
      method: 'GET',
      url: `${API_PREFIX}/orders/${orderId}`,
      headers: bearer(admin),
    });
    expect(one.statusCode, one.body).toBe(200);
  });
});
