import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problems } from '@tickets/contract/common';
import { AdminOrder } from '@tickets/contract/events';
import { OrderParams } from '@tickets/contract/purchase';
import { cancelOrder } from '../../domain/orders/cancel-order.ts';
import { actorOf } from '../../plugins/app/domain-context.ts';

const adminOrderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/admin/orders/:orderId/cancel',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        summary: 'Cancel an order: its seats go back on sale and its payment is refunded',
        description:
          'Idempotent: an order already cancelled is answered as it is (200), with no second refund. ' +
          '409 TICKET_CHECKED_IN (with `seatIds`) when a ticket of the order was checked in. The refund ' +
          'follows the commit; one that fails is retried by every replica’s refund sweep.',
        params: OrderParams,
        response: { 200: AdminOrder, ...problems(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => cancelOrder(app.purchase, actorOf(request), request.params.orderId),
  );
};

export default adminOrderRoutes;
