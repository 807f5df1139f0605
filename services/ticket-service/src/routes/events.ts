import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { getEvent, listEvents } from '../domain/events/list-events.ts';
import { createSeatMapReader } from '../domain/events/seat-map.ts';
import { EventParams, problems } from '../schemas/common.ts';
import { Event, EventList, EventListQuery, SeatMap } from '../schemas/events.ts';

const events: FastifyPluginAsyncTypebox = async (app) => {
  const seatMapJson = createSeatMapReader(app.domain);

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
        params: EventParams,
        response: { 200: SeatMap, ...problems(400, 404) },
      },
    },
    async (request, reply) => {
      // Already JSON (and cached per version): sent as it is, not serialized again.
      const json = await seatMapJson(request.params.eventId);
      // The type provider expects the object; a JSON string is sent verbatim.
      return reply.type('application/json; charset=utf-8').send(json as never);
    },
  );
};

export default events;
