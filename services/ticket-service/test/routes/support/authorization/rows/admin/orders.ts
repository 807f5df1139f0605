// src/routes/admin/orders.ts: admins only.
import { signup } from '@tickets/testkit/app';
import { expect } from 'vitest';
import { app } from '../../app.ts';
import { orderedBy, unchangedSince } from '../../fixtures.ts';
import type { Row } from '../../matrix.ts';

export const ADMIN_ORDERS_ROWS: Row[] = [
  {
    method: 'POST',
    route: '/admin/orders/:orderId/cancel',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const { event, orderId } = await orderedBy(await signup(app, 'authz-buyer'));
      const status = async () => (await app.db.order.findUniqueOrThrow({ where: { id: orderId } })).status;
      const unchanged = await unchangedSince(event.id);
      return {
        url: `/admin/orders/${orderId}/cancel`,
        unchanged: async () => {
          expect(await status()).toBe('confirmed');
          await unchanged();
        },
        verify: async (res) => {
          expect(res.json()).toMatchObject({ id: orderId, status: 'cancelled' });
          expect(await status()).toBe('cancelled');
          expect(
            await app.db.seat.count({ where: { eventId: event.id, status: { not: 'available' } } }),
          ).toBe(0);
        },
      };
    },
  },
];
