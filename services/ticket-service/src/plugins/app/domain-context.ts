import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Actor, DomainContext } from '../../domain/context.ts';

declare module 'fastify' {
  interface FastifyInstance {
    domain: DomainContext;
  }
}

/** The authenticated user as the operation log names them. */
export const actorOf = (request: FastifyRequest): Actor & { id: string } => ({
  id: request.user.id,
  email: request.user.email,
});

export default fp(
  async (app) => {
    app.decorate('domain', {
      db: app.db,
      replica: app.config.replicaId,
      userChanged: (userId) => app.userChanges.publish(userId),
    });
  },
  { name: 'domain-context', dependencies: ['prisma', 'config', 'user-changes'] },
);
