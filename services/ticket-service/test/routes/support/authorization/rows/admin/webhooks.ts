// src/routes/admin/webhooks.ts: admins only.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { app, WEBHOOK_TARGET } from '../../app.ts';
import { webhook } from '../../fixtures.ts';
import type { Row } from '../../matrix.ts';

export const ADMIN_WEBHOOKS_ROWS: Row[] = [
  {
    method: 'POST',
    route: '/admin/webhooks',
    access: 'admin',
    success: 201,
    prepare: async () => {
      const url = `${WEBHOOK_TARGET}${randomUUID()}`;
      return {
        url: '/admin/webhooks',
        payload: { url, events: ['event.sold_out'] },
        unchanged: async () => expect(await app.db.webhookEndpoint.count({ where: { url } })).toBe(0),
        verify: async (res) => {
          expect(res.json().secret).toMatch(/^whsec_/);
          const row = await app.db.webhookEndpoint.findUniqueOrThrow({ where: { id: res.json().id } });
          expect(row).toMatchObject({ url, events: ['event.sold_out'] });
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/admin/webhooks',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const id = await webhook();
      return {
        url: '/admin/webhooks',
        verify: async (res) => {
          const listed = res.json().items.find((h: { id: string }) => h.id === id);
          expect(listed).toMatchObject({ id, events: ['event.sold_out'] });
          expect(listed).not.toHaveProperty('secret');
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/admin/webhooks/:webhookId/deliveries',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const endpointId = await webhook();
      // Delivered already, so that no sender picks it up.
      const delivery = await app.db.webhookDelivery.create({
        data: {
          endpointId,
          eventType: 'event.sold_out',
          payload: { probe: true },
          status: 'delivered',
          deliveredAt: new Date(),
        },
      });
      return {
        url: `/admin/webhooks/${endpointId}/deliveries`,
        verify: async (res) =>
          expect(res.json().items).toEqual([
            expect.objectContaining({ id: delivery.id, status: 'delivered', payload: { probe: true } }),
          ]),
      };
    },
  },
  {
    method: 'DELETE',
    route: '/admin/webhooks/:webhookId',
    access: 'admin',
    success: 204,
    prepare: async () => {
      const id = await webhook();
      const exists = () => app.db.webhookEndpoint.count({ where: { id } });
      return {
        url: `/admin/webhooks/${id}`,
        unchanged: async () => expect(await exists()).toBe(1),
        verify: async () => expect(await exists()).toBe(0),
      };
    },
  },
];
