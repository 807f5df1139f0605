// Bearer-token authentication. A token names the user and the password
// generation it was issued under; the user row decides whether it still counts,
// so a password change revokes every older token at once.
//
// The row is cached per replica (lib/user-cache.ts) so that a known token costs
// no database read; every change to it is published to all replicas
// (DomainContext.userChanged, lib/user-change-feed.ts). Bound on staleness: the
// replica that made the change sees it at once; every other replica within one
// pub/sub hop while a Redis master is up and reachable from both; in the worst
// case (the notification lost: every master down or cut off, a dead subscription
// not yet noticed) within AUTH_CACHE_TTL_MS. A replica that knows it has no
// subscription up reads the row on every request.
import jwt from '@fastify/jwt';
import type { Role } from '@tickets/contract/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';
import { createUserCache } from '../../lib/user-cache.ts';
import { createVerifiedTokens } from '../../lib/verified-tokens.ts';

export interface AuthUser {
  id: string;
  email: string;
  role: Role;
}

interface UserRow extends AuthUser {
  tokenVersion: number;
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
    /** Admins and staff: the door (ticket check-in). */
    requireStaff: Hook;
  }
}

export default fp(
  async (app) => {
    await app.register(jwt, {
      secret: app.config.jwtSecret,
      sign: { expiresIn: app.config.jwtTtlSeconds },
    });
    // Tokens verified once are known by their text until they expire
    // (lib/verified-tokens.ts): a buyer sends the same one with every request.
    const verified = createVerifiedTokens<TokenPayload>(app.config.authCacheMaxEntries);
    const verify = async (request: FastifyRequest): Promise<TokenPayload> => {
      // Only the exact form @fastify/jwt accepts; anything else goes to it (and its errors).
      const header = request.headers.authorization;
      const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
      const known = token === undefined ? undefined : verified.get(token);
      if (known) return known;
      const payload = await request.jwtVerify<TokenPayload & { exp?: number }>();
      if (token !== undefined) verified.store(token, payload);
      return payload;
    };

    app.decorate('issueToken', (user: { id: string; tokenVersion: number }) =>
      app.jwt.sign({ sub: user.id, tv: user.tokenVersion }),
    );

    const cache = createUserCache<UserRow>({
      maxEntries: app.config.authCacheMaxEntries,
      ttlMs: app.config.authCacheTtlMs,
    });
    app.userChanges.listen({ changed: (id) => cache.invalidate(id), missed: () => cache.clear() });

    const readUser = async (id: string): Promise<UserRow | undefined> => {
      const generation = cache.generation();
      const [user] = await app.db.$queryRaw<UserRow[]>`
        SELECT id, email, role::text AS role, token_version AS "tokenVersion" FROM users WHERE id = ${id}::uuid`;
      // Unknown ids are not cached: a new user must not find a "no such user" copy.
      if (user && app.userChanges.live()) cache.store(generation, user);
      return user;
    };

    const userFor = async (id: string, tokenVersion: number): Promise<UserRow | undefined> => {
      const cached = app.userChanges.live() ? cache.get(id) : undefined;
      // A token newer than the copy means this replica missed a change: only the
      // database can say whether the token is good.
      if (cached && tokenVersion <= cached.tokenVersion) return cached;
      return readUser(id);
    };

    const authenticate = async (request: FastifyRequest): Promise<AuthUser> => {
      let payload: TokenPayload;
      try {
        payload = await verify(request);
      } catch {
        throw new AppError('UNAUTHENTICATED', 'A valid bearer token is required.');
      }
      if (typeof payload.sub !== 'string' || !UUID.test(payload.sub) || !Number.isInteger(payload.tv)) {
        throw new AppError('UNAUTHENTICATED', 'A valid bearer token is required.');
      }
      const user = await userFor(payload.sub, payload.tv);
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
    app.decorate('requireStaff', async (request: FastifyRequest) => {
      const user = await authenticate(request);
      if (user.role !== 'admin' && user.role !== 'staff') {
        throw new AppError('FORBIDDEN', 'This needs an admin or a staff member.');
      }
    });
  },
  { name: 'auth', dependencies: ['config', 'prisma', 'user-changes'] },
);
