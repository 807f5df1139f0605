import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ChangePasswordBody, User } from '@tickets/contract/accounts';
import { problems } from '@tickets/contract/common';
import { Type } from 'typebox';
import { changePassword } from '../domain/accounts/change-password.ts';
import { userView } from '../domain/accounts/user-view.ts';
import { notFound } from '../domain/errors.ts';
import { actorOf } from '../plugins/app/domain-context.ts';

const me: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me',
    {
      onRequest: app.requireUser,
      schema: { tags: ['accounts'], security: [{ bearer: [] }], response: { 200: User, ...problems(401) } },
    },
    async (request) => {
      const user = await app.db.user.findUnique({ where: { id: request.user.id } });
      if (!user) throw notFound('user');
      return userView(user);
    },
  );

  app.post(
    '/me/password',
    {
      onRequest: [app.requireUser, app.rateLimits.passwordChangePerAddress],
      schema: {
        tags: ['accounts'],
        summary: 'Change the password; every token issued before stops working',
        security: [{ bearer: [] }],
        body: ChangePasswordBody,
        response: { 204: Type.Null(), ...problems(400, 401, 413, 429) },
      },
    },
    async (request, reply) => {
      await changePassword(app.domain, actorOf(request), request.body);
      return reply.code(204).send(null);
    },
  );
};

export default me;
