import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CreateUserBody, User } from '@tickets/contract/accounts';
import { problems } from '@tickets/contract/common';
import { createUser } from '../../domain/accounts/create-user.ts';
import { userView } from '../../domain/accounts/user-view.ts';
import { actorOf } from '../../plugins/app/domain-context.ts';

const adminUserRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/admin/users',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        summary: 'Add a user: an admin, a staff member (door check-in only) or a customer',
        body: CreateUserBody,
        response: { 201: User, ...problems(400, 401, 403, 409, 413) },
      },
    },
    async (request, reply) => {
      const user = await createUser(app.domain, request.body, actorOf(request));
      reply.code(201);
      return userView(user);
    },
  );
};

export default adminUserRoutes;
