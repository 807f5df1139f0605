// src/routes/admin/check-in.ts: the door, admins and staff, nobody else.
import { bearer, signup } from '@tickets/testkit/app';
import { expect } from 'vitest';
import { API_PREFIX } from '../../../../../support/routes.ts';
import { app } from '../../app.ts';
import { orderedBy } from '../../fixtures.ts';
import type { Row } from '../../matrix.ts';

export const ADMIN_CHECK_IN_ROWS: Row[] = [
  {
    method: 'POST',
    route: '/admin/events/:eventId/check-in',
    access: 'staff',
    success: 200,
    prepare: async () => {
      const buyer = await signup(app, 'authz-ticket');
      const { event, orderId } = await orderedBy(buyer);
      const read = await app.inject({
        method: 'GET',
        url: `${API_PREFIX}/orders/${orderId}`,
        headers: bearer(buyer),
      });
      const ticket = read.json().tickets[0] as { id: string; code: string };
      const checkedIn = async () =>
        (await app.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).checkedInAt;
      return {
        url: `/admin/events/${event.id}/check-in`,
        payload: { code: ticket.code },
        unchanged: async () => expect(await checkedIn()).toBeNull(),
        verify: async (res) => {
          expect(res.json().ticket.id).toBe(ticket.id);
          expect(await checkedIn()).not.toBeNull();
        },
      };
    },
  },
];
