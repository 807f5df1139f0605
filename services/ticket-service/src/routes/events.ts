import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import { Event, EventList, EventListQuery, SeatMap } from '@tickets/contract/events';
import { Type } from 'typebox';
import { getEvent, listEvents } from '../domain/events/list-events.ts';
import { createSeatMapReader } from '../domain/events/seat-map.ts';
import { ifNoneMatch } from '../lib/if-none-match.ts';

const SeatMapHeaders = {
  etag: Type.String({ description: 'the event and its seat version; send it back in If-None-Match' }),
};

const events: FastifyPluginAsyncTypebox = async (app) => {
  const readSeatMap = createSeatMapReader(app.domain);

  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Upcoming events, on sale first',
        querystring: EventListQuery,
        response: { 200: EventList, ...problems(400) },
      },
    },
    async (request) =>
      listEvents(app.domain, { limit: request.query.limit ?? 20, cursor: request.query.cursor }),
  );

  app.get(
    '/events/:eventId',
    { schema: { tags: ['events'], params: EventParams, response: { 200: Event, ...problems(400, 404) } } },
    async (request) => getEvent(app.domain, request.params.eventId),
  );

  app.get(
    '/events/:eventId/seats',
    {
      schema: {
        tags: ['events'],
        summary: 'The seat map and its version (resume the stream from it)',
        description:
          'Carries a strong ETag that changes with every seat change; a request whose If-None-Match names the current one is answered 304 without a body.',
        params: EventParams,
        response: {
          200: { ...SeatMap, headers: SeatMapHeaders },
          304: Type.Null({
            description: 'Not Modified: the map If-None-Match names is current',
            headers: SeatMapHeaders,
          }),
          ...problems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const map = await readSeatMap(request.params.eventId);
      reply.header('etag', map.etag);
      // The client (or the gateway revalidating its cache) has this version: one indexed
      // lookup, no body. Nothing at all is sent: a null would be serialized as `null`.
      if (ifNoneMatch(request.headers['if-none-match'], map.etag)) {
        return reply.code(304).send(undefined as never);
      }
      // Already JSON (and cached per version): sent as it is, not serialized again.
      // The type provider expects the object; a JSON string is sent verbatim.
      return reply.type('application/json; charset=utf-8').send((await map.json()) as never);
    },
  );
};

export default events;
