// Bearer-token authentication. A token names the user and the password
// generation it was issued under; the user row decides whether it still counts,
// so a password change revokes every older token at once.
import jwt from '@fastify/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';

export type Role = 'customer' | 'admin';

export interface AuthUser {
  id: string;
  email: string;
  role: Role;
}

interface TokenPayload {
  sub: string;
  tv: number;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenPayload;
    user: AuthUser;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    issueToken(user: { id: string; tokenVersion: number }): string;
    requireUser: Hook;
    requireAdmin: Hook;
  }
}

export default fp(
  async (app) => {
    await app.register(jwt, {
      secret: app.config.jwtSecret,
      sign: { expiresIn: app.config.jwtTtlSeconds },
    });

    app.decorate('issueToken', (user: { id: string; tokenVersion: number }) =>
      app.jwt.sign({ sub: user.id, tv: user.tokenVersion }),
    );

    const authenticate = async (request: FastifyRequest): Promise<AuthUser> => {
      let payload: TokenPayload;
      try {
        payload = await request.jwtVerify<TokenPayload>();
      } catch {
        throw new AppError('UNAUTHENTICATED', 'A valid bearer token is required.');
      }
      if (typeof payload.sub !== 'string' || !UUID.test(payload.sub) || !Number.isInteger(payload.tv)) {
        throw new AppError('UNAUTHENTICATED', 'A valid bearer token is required.');
      }
      // Every authenticated request reads this row; a plain query keeps it cheap.
      const [user] = await app.db.$queryRaw<
        { id: string; email: string; role: Role; tokenVersion: number }[]
      >`
        SELECT id, email, role::text AS role, token_version AS "tokenVersion" FROM users WHERE id = ${payload.sub}::uuid`;
      if (!user || user.tokenVersion !== payload.tv) {
        throw new AppError('UNAUTHENTICATED', 'The token has been revoked.');
      }
      const authUser: AuthUser = { id: user.id, email: user.email, role: user.role };
      request.user = authUser;
      return authUser;
    };

    app.decorate('requireUser', async (request: FastifyRequest) => {
      await authenticate(request);
    });
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      const user = await authenticate(request);
      if (user.role !== 'admin') throw new AppError('FORBIDDEN', 'This needs an admin.');
    });
  },
  { name: 'auth', dependencies: ['config', 'prisma'] },
);
