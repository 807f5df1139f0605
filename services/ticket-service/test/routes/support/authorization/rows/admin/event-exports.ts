// src/routes/admin/event-exports.ts: admins only.
import { signup } from '@tickets/testkit/app';
import { expect } from 'vitest';
import { ORDER_CSV_COLUMNS } from '../../../../../../src/domain/events/orders-export.ts';
import { app } from '../../app.ts';
import { orderedBy } from '../../fixtures.ts';
import type { Row } from '../../matrix.ts';

export const ADMIN_EVENT_EXPORTS_ROWS: Row[] = [
  {
    method: 'GET',
    route: '/admin/events/:eventId/orders.csv',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const { event, orderId } = await orderedBy(await signup(app, 'authz-buyer'));
      return {
        url: `/admin/events/${event.id}/orders.csv`,
        verify: async (res) => {
          expect(res.headers['content-type']).toMatch(/^text\/csv/);
          const [header, ...rows] = res.body.split('\r\n');
          expect(header).toBe(ORDER_CSV_COLUMNS.join(','));
          // One ticket, then the CRLF that ends it.
          expect(rows).toHaveLength(2);
          expect(rows[0]?.startsWith(`${orderId},`)).toBe(true);
        },
      };
    },
  },
];
