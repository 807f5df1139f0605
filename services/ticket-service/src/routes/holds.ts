import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import { Order } from '@tickets/contract/events';
import {
  Hold,
  HoldParams,
  IdempotencyHeaders,
  OrderHoldBody,
  SeatSelection,
} from '@tickets/contract/purchase';
import { AdmissionHeaders, GateRefusals } from '@tickets/contract/waiting-room';
import { Type } from 'typebox';
import { createHold, getOwnHold, releaseHold } from '../domain/purchase/holds.ts';
import { orderHold } from '../domain/purchase/order-hold.ts';
import { purchaseAnswer } from '../domain/tickets/ticket-code.ts';
import { actorOf } from '../plugins/app/domain-context.ts';

const buyer = { tags: ['purchase'], security: [{ bearer: [] }] };

const holds: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/events/:eventId/holds',
    {
      onRequest: [app.requireUser, app.rateLimits.holdsPerUser],
      // Before the purchase path: sales open, and admitted on a waiting-room event.
      preHandler: app.requireAdmission,
      schema: {
        ...buyer,
        summary: 'Hold seats (by id, or the best N) for a limited time',
        params: EventParams,
        headers: Type.Object(AdmissionHeaders),
        body: SeatSelection,
        response: { 201: Hold, ...problems(400, 401, 403, 404, 409, 413, 429, 503), ...GateRefusals },
      },
    },
    async (request, reply) => {
      const hold = await createHold(app.purchase, actorOf(request), request.params.eventId, request.body);
      reply.code(201);
      return hold;
    },
  );

  app.get(
    '/holds/:holdId',
    {
      onRequest: app.requireUser,
      schema: { ...buyer, params: HoldParams, response: { 200: Hold, ...problems(400, 401, 404) } },
    },
    async (request) => getOwnHold(app.purchase, request.user, request.params.holdId),
  );

  app.delete(
    '/holds/:holdId',
    {
      onRequest: app.requireUser,
      schema: {
        ...buyer,
        summary: 'Give up a hold; its seats go back on sale',
        params: HoldParams,
        response: { 204: Type.Null(), ...problems(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      await releaseHold(app.purchase, actorOf(request), request.params.holdId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/holds/:holdId/order',
    {
      onRequest: [app.requireUser, app.rateLimits.ordersPerUser],
      schema: {
        ...buyer,
        summary: 'Buy the seats of a hold',
        params: HoldParams,
        headers: IdempotencyHeaders,
        body: OrderHoldBody,
        response: { 200: Order, 201: Order, ...problems(400, 401, 402, 404, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const { order, replayed } = await orderHold(
        app.purchase,
        actorOf(request),
        request.params.holdId,
        request.body.payment,
        request.headers['idempotency-key'],
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.code(replayed ? 200 : 201);
      return purchaseAnswer(order);
    },
  );
};

export default holds;
