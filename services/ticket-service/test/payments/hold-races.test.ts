// One hold bought twice at once, or released while it is being bought: the answers
// agree with what was stored, and the books close.
import { createEvent, signup } from '@tickets/testkit/app';
import { hold, orderHold } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { admin, app, twoPrices, usePaymentsApp } from './support.ts';

usePaymentsApp();

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
