// Liveness and readiness for the gateway and orchestrators (not under /api/v1).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { quorumOf, reachableNodes } from '../lib/redis-quorum.ts';

const Health = Type.Object({ status: Type.String(), replica: Type.String() });
const Ready = Type.Object({
  status: Type.String(),
  replica: Type.String(),
  database: Type.Boolean(),
  redis: Type.Object({ reachable: Type.Integer(), needed: Type.Integer() }),
});

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: Health } } }, async () => ({
    status: 'ok',
    replica: app.config.replicaId,
  }));

  app.get(
    '/readyz',
    { schema: { tags: ['operations'], response: { 200: Ready, 503: Ready } } },
    async (_request, reply) => {
      const [database, reachable] = await Promise.all([
        app.db.$queryRaw`SELECT 1`.then(
          () => true,
          () => false,
        ),
        reachableNodes(app.redis),
      ]);
      const needed = quorumOf(app.redis.length);
      const ready = database && reachable >= needed;
      reply.code(ready ? 200 : 503);
      return {
        status: ready ? 'ready' : 'not ready',
        replica: app.config.replicaId,
        database,
        redis: { reachable, needed },
      };
    },
  );
};

export default health;
