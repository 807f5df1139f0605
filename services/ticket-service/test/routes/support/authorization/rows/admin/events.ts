// src/routes/admin/events.ts: admins only.
import { randomUUID } from 'node:crypto';
import { createEvent, eventBody } from '@tickets/testkit/app';
import { expect } from 'vitest';
import { app, owner } from '../../app.ts';
import type { Row } from '../../matrix.ts';

export const ADMIN_EVENTS_ROWS: Row[] = [
  {
    method: 'POST',
    route: '/admin/events',
    access: 'admin',
    success: 201,
    prepare: async () => {
      const body = eventBody({ title: `authz-${randomUUID()}` });
      return {
        url: '/admin/events',
        payload: body,
        unchanged: async () => expect(await app.db.event.count({ where: { title: body.title } })).toBe(0),
      };
    },
  },
  {
    method: 'PATCH',
    route: '/admin/events/:eventId',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const event = await createEvent(app, owner);
      return {
        url: `/admin/events/${event.id}`,
        payload: { status: 'closed' },
        unchanged: async () => {
          const row = await app.db.event.findUniqueOrThrow({ where: { id: event.id } });
          expect(row.status).toBe('on_sale');
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/admin/events',
    access: 'admin',
    success: 200,
    prepare: async () => ({ url: '/admin/events' }),
  },
  {
    method: 'GET',
    route: '/admin/events/:eventId/orders',
    access: 'admin',
    success: 200,
    prepare: async () => ({ url: `/admin/events/${(await createEvent(app, owner)).id}/orders` }),
  },
];
