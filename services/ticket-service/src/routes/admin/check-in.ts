import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import { CheckIn, CheckInBody } from '@tickets/contract/tickets';
import { checkIn } from '../../domain/tickets/check-in.ts';
import { actorOf } from '../../plugins/app/domain-context.ts';

const checkInRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/admin/events/:eventId/check-in',
    {
      // Admins and staff (door accounts): the one admin route staff may call.
      onRequest: app.requireStaff,
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        summary: "Admit a ticket at the door by its code (the ticket's QR code)",
        description:
          '200 the first time; 409 ALREADY_CHECKED_IN (with `checkedInAt`, the first time) afterwards; ' +
          "409 TICKET_CANCELLED for a ticket of a cancelled order; 404 NOT_FOUND for a forged code, another event's or none. " +
          'Exactly one of any number of simultaneous scans of one code, on any replicas, gets the 200.',
        params: EventParams,
        body: CheckInBody,
        response: { 200: CheckIn, ...problems(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request) =>
      checkIn(app.domain, app.ticketCodes, actorOf(request), request.params.eventId, request.body.code),
  );
};

export default checkInRoutes;
