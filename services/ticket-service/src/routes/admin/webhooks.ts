import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '@tickets/contract/common';
import {
  CreatedWebhook,
  CreateWebhookBody,
  DeliveriesQuery,
  WebhookDelivery,
  WebhookListItem,
  WebhookParams,
} from '@tickets/contract/webhooks';
import { Type } from 'typebox';
import {
  createEndpoint,
  deleteEndpoint,
  listDeliveries,
  listEndpoints,
} from '../../domain/webhooks/endpoints.ts';
import { actorOf } from '../../plugins/app/domain-context.ts';

const admin = { tags: ['admin'], security: [{ bearer: [] }] };

const adminWebhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/admin/webhooks',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: 'Register a webhook endpoint',
        description:
          'Deliveries are written with the change they report and sent by any replica, at least once, ' +
          'with X-Tickets-Delivery (the delivery id, the same on every retry), X-Tickets-Event and ' +
          'X-Tickets-Signature; retried with exponential backoff until a 2xx.',
        body: CreateWebhookBody,
        response: { 201: CreatedWebhook, ...problems(400, 401, 403, 413) },
      },
    },
    async (request, reply) => {
      const created = await createEndpoint(
        app.domain,
        actorOf(request),
        request.body,
        app.config.webhookAllowPrivateTargets,
      );
      reply.code(201);
      return created;
    },
  );

  app.get(
    '/admin/webhooks',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: 'Every webhook endpoint, with its pending and failed deliveries',
        response: { 200: Type.Object({ items: Type.Array(WebhookListItem) }), ...problems(401, 403) },
      },
    },
    async () => listEndpoints(app.domain),
  );

  app.delete(
    '/admin/webhooks/:webhookId',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: 'Remove a webhook endpoint and its deliveries',
        params: WebhookParams,
        response: { 204: Type.Null(), ...problems(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteEndpoint(app.domain, actorOf(request), request.params.webhookId);
      reply.code(204);
      return null;
    },
  );

  app.get(
    '/admin/webhooks/:webhookId/deliveries',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: "An endpoint's deliveries with their attempts, newest first",
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: {
          200: Type.Object({ items: Type.Array(WebhookDelivery) }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request) => listDeliveries(app.domain, request.params.webhookId, request.query.limit ?? 50),
  );
};

export default adminWebhookRoutes;
