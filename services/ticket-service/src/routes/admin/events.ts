import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import { AdminEvent, AdminOrder, CreateEventBody, Event, PatchEventBody } from '@tickets/contract/events';
import { Type } from 'typebox';
import { adminEvents } from '../../domain/events/admin-events.ts';
import { createEvent } from '../../domain/events/create-event.ts';
import { eventOrders } from '../../domain/events/event-orders.ts';
import { updateEvent } from '../../domain/events/update-event.ts';
import { withTicketCodes } from '../../domain/tickets/ticket-code.ts';
import { actorOf } from '../../plugins/app/domain-context.ts';

const admin = { tags: ['admin'], security: [{ bearer: [] }] };

const adminEventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/admin/events',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: 'Create an event and all the seats of its layout',
        body: CreateEventBody,
        response: { 201: Event, ...problems(400, 401, 403, 413) },
      },
    },
    async (request, reply) => {
      const event = await createEvent(app.domain, actorOf(request), request.body);
      app.salesGates.created(event);
      reply.code(201);
      return event;
    },
  );

  app.patch(
    '/admin/events/:eventId',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: 'Open or close sales; set when they open, the waiting room and the per-customer limit',
        description: 'Only the fields given change; at least one is needed.',
        params: EventParams,
        body: PatchEventBody,
        response: { 200: Event, ...problems(400, 401, 403, 404, 413) },
      },
    },
    async (request) => {
      const event = await updateEvent(app.domain, actorOf(request), request.params.eventId, request.body);
      // Every replica's copy of the sales settings goes (plugins/app/waiting-room.ts).
      app.salesGates.changed(event.id);
      return event;
    },
  );

  app.get(
    '/admin/events',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: 'Every event with its sales',
        response: { 200: Type.Object({ items: Type.Array(AdminEvent) }), ...problems(401, 403) },
      },
    },
    async () => adminEvents(app.domain),
  );

  app.get(
    '/admin/events/:eventId/orders',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: "An event's orders with the buyers' emails",
        params: EventParams,
        response: { 200: Type.Object({ items: Type.Array(AdminOrder) }), ...problems(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { items } = await eventOrders(app.domain, request.params.eventId);
      return { items: items.map((o) => withTicketCodes(app.ticketCodes, o)) };
    },
  );
};

export default adminEventRoutes;
