import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuthResult, LoginBody, SignupBody } from '@tickets/contract/accounts';
import { problems } from '@tickets/contract/common';
import { createUser } from '../domain/accounts/create-user.ts';
import { login } from '../domain/accounts/login.ts';
import { userView } from '../domain/accounts/user-view.ts';

const auth: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/auth/signup',
    {
      onRequest: app.rateLimits.signupPerAddress,
      schema: {
        tags: ['accounts'],
        summary: 'Create a customer account',
        body: SignupBody,
        response: { 201: AuthResult, ...problems(400, 409, 413, 429) },
      },
    },
    async (request, reply) => {
      // Signup always makes a customer; only admins create admins.
      const user = await createUser(app.domain, { ...request.body, role: 'customer' }, 'self');
      reply.code(201);
      return { token: app.issueToken(user), user: userView(user) };
    },
  );

  app.post(
    '/auth/login',
    {
      // Per address on arrival; per account once the body names it, counting failures only.
      onRequest: app.rateLimits.loginPerAddress,
      preHandler: app.rateLimits.failedLoginsPerAccount.check,
      onError: app.rateLimits.failedLoginsPerAccount.count,
      schema: {
        tags: ['accounts'],
        summary: 'Exchange email and password for a token',
        body: LoginBody,
        response: { 200: AuthResult, ...problems(400, 401, 413, 429) },
      },
    },
    async (request) => {
      const user = await login(app.domain, request.body);
      return { token: app.issueToken(user), user: userView(user) };
    },
  );
};

export default auth;
