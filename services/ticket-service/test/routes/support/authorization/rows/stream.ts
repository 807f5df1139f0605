// src/routes/stream.ts: the seat stream is public.
import { createEvent } from '@tickets/testkit/app';
import { app, owner } from '../app.ts';
import type { Row } from '../matrix.ts';

export const STREAM_ROWS: Row[] = [
  {
    method: 'GET',
    route: '/events/:eventId/stream',
    access: 'public',
    success: 200,
    stream: true,
    prepare: async () => ({ url: `/events/${(await createEvent(app, owner)).id}/stream` }),
  },
];
