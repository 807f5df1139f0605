import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import { Type } from 'typebox';
import { ordersCsv } from '../../domain/events/orders-export.ts';

const adminEventExportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/admin/events/:eventId/orders.csv',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        summary: 'Every order and ticket of the event, as CSV',
        description:
          "RFC 4180 (header row, CRLF, quoted where needed), one row per ticket (an order without tickets has one row with the ticket columns empty), oldest order first; streamed. Text cells starting with = + - @, a tab or a CR are prefixed with ' so that spreadsheets show them as text.",
        params: EventParams,
        response: {
          200: {
            description: 'the CSV, as an attachment',
            content: { 'text/csv': { schema: Type.String() } },
          },
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const stream = await ordersCsv(app.domain, eventId, (err) =>
        request.log.error({ err }, 'orders export failed while streaming'),
      );
      return reply
        .type('text/csv; charset=utf-8; header=present')
        .header('content-disposition', `attachment; filename="event-${eventId}-orders.csv"`)
        .header('cache-control', 'no-store')
        .send(stream as never);
    },
  );
};

export default adminEventExportRoutes;
