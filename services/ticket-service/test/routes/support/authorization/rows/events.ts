// src/routes/events.ts: the public event list, events and seat maps.
import { createEvent } from '@tickets/testkit/app';
import { app, owner } from '../app.ts';
import type { Row } from '../matrix.ts';

export const EVENTS_ROWS: Row[] = [
  {
    method: 'GET',
    route: '/events',
    access: 'public',
    success: 200,
    prepare: async () => ({ url: '/events' }),
  },
  {
    method: 'GET',
    route: '/events/:eventId',
    access: 'public',
    success: 200,
    prepare: async () => ({ url: `/events/${(await createEvent(app, owner)).id}` }),
  },
  {
    method: 'GET',
    route: '/events/:eventId/seats',
    access: 'public',
    success: 200,
    prepare: async () => ({ url: `/events/${(await createEvent(app, owner)).id}/seats` }),
  },
];
