import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import { Order } from '@tickets/contract/events';
import { BuyNowBody, IdempotencyHeaders, OrderParams } from '@tickets/contract/purchase';
import { AdmissionHeaders, GateRefusals } from '@tickets/contract/waiting-room';
import { Type } from 'typebox';
import { buyNow } from '../domain/purchase/buy-now.ts';
import { getOrder, listOwnOrders } from '../domain/purchase/orders.ts';
import { purchaseAnswer, withTicketCodes } from '../domain/tickets/ticket-code.ts';
import { actorOf } from '../plugins/app/domain-context.ts';

const buyer = { tags: ['purchase'], security: [{ bearer: [] }] };

const orders: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/events/:eventId/orders',
    {
      onRequest: [app.requireUser, app.rateLimits.ordersPerUser],
      // Before the purchase path: sales open, and admitted on a waiting-room event.
      preHandler: app.requireAdmission,
      schema: {
        ...buyer,
        summary: 'Hold and buy in one step',
        params: EventParams,
        headers: Type.Object({ ...IdempotencyHeaders.properties, ...AdmissionHeaders }),
        body: BuyNowBody,
        response: {
          200: Order,
          201: Order,
          ...problems(400, 401, 402, 403, 404, 409, 413, 429, 503),
          ...GateRefusals,
        },
      },
    },
    async (request, reply) => {
      const { payment, ...selection } = request.body;
      const { order, replayed } = await buyNow(
        app.purchase,
        actorOf(request),
        request.params.eventId,
        selection,
        payment,
        request.headers['idempotency-key'],
      );
      if (replayed) reply.header('idempotent-replayed', 'true');
      reply.code(replayed ? 200 : 201);
      return purchaseAnswer(order);
    },
  );

  app.get(
    '/orders',
    {
      onRequest: app.requireUser,
      schema: {
        ...buyer,
        summary: 'Own purchase history, newest first',
        response: { 200: Type.Object({ items: Type.Array(Order) }), ...problems(401) },
      },
    },
    async (request) => {
      const { items } = await listOwnOrders(app.db, request.user.id);
      // Own orders only: the owner sees the ticket codes.
      return { items: items.map((o) => withTicketCodes(app.ticketCodes, o)) };
    },
  );

  app.get(
    '/orders/:orderId',
    {
      onRequest: app.requireUser,
      schema: { ...buyer, params: OrderParams, response: { 200: Order, ...problems(400, 401, 404) } },
    },
    // The owner's order or (for an admin) anyone's: both may see the ticket codes.
    async (request) =>
      withTicketCodes(app.ticketCodes, await getOrder(app.db, request.user, request.params.orderId)),
  );
};

export default orders;
