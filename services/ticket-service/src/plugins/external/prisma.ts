// Prisma client over node-postgres (adapter-pg): no native query engine needed.
import { PrismaPg } from '@prisma/adapter-pg';
import fp from 'fastify-plugin';
import { PrismaClient } from '../../generated/prisma/client.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: PrismaClient;
  }
}

export function createPrisma(databaseUrl: string, poolSize: number): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter });
}

export default fp(
  async (app) => {
    const db = createPrisma(app.config.databaseUrl, app.config.dbPoolSize);
    app.decorate('db', db);
    app.addHook('onClose', async () => {
      await db.$disconnect();
    });
  },
  { name: 'prisma', dependencies: ['config'] },
);
