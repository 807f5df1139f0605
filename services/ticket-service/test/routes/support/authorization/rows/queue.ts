// src/routes/queue.ts: the waiting room, any signed-in buyer, for their own place.
import { bearer, createEvent } from '@tickets/testkit/app';
import { expect } from 'vitest';
import { API_PREFIX } from '../../../../support/routes.ts';
import { app, owner } from '../app.ts';
import { signedIn } from '../fixtures.ts';
import type { Row } from '../matrix.ts';

const roomEvent = () => createEvent(app, owner, { waitingRoom: { enabled: true, admitPerMinute: 60 } });

export const QUEUE_ROWS: Row[] = [
  {
    method: 'POST',
    route: '/events/:eventId/queue',
    access: 'customer',
    success: 200,
    prepare: async (caller) => {
      const event = await roomEvent();
      const places = () => app.db.queueEntry.count({ where: { eventId: event.id } });
      return {
        url: `/events/${event.id}/queue`,
        unchanged: async () => expect(await places()).toBe(0),
        verify: async (res) => {
          expect(res.json().state).toBe('admitted');
          const [entry] = await app.db.queueEntry.findMany({ where: { eventId: event.id } });
          expect(entry?.userId).toBe(signedIn(caller).id);
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/events/:eventId/queue',
    access: 'customer',
    success: 200,
    prepare: async (caller) => {
      const event = await roomEvent();
      if (caller) {
        const joined = await app.inject({
          method: 'POST',
          url: `${API_PREFIX}/events/${event.id}/queue`,
          headers: bearer(caller),
        });
        expect(joined.statusCode, joined.body).toBe(200);
      }
      return {
        url: `/events/${event.id}/queue`,
        verify: async (res) => expect(res.json().state).toBe('admitted'),
      };
    },
  },
];
