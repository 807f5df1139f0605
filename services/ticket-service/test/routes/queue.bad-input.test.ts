// Bad ids on the waiting-room routes (src/routes/queue.ts): 400 naming eventId, never a
// 5xx or a change to the data.
import { describe } from 'vitest';
import { useBadInputApp } from './support/bad-input/app.ts';
import { itRefusesBadIds } from './support/bad-input/params.ts';

useBadInputApp();

describe('bad path parameters', () => {
  itRefusesBadIds([
    {
      name: 'POST /events/:eventId/queue',
      method: 'POST',
      url: (id) => `/events/${id}/queue`,
      param: 'eventId',
      caller: 'customer',
    },
    {
      name: 'GET /events/:eventId/queue',
      method: 'GET',
      url: (id) => `/events/${id}/queue`,
      param: 'eventId',
      caller: 'customer',
    },
  ]);
});
