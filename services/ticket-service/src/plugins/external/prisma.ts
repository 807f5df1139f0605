// Prisma client over node-postgres (adapter-pg): no native query engine needed.
// The pg pool is ours, so that its occupancy can be exported as metrics.
import { PrismaPg } from '@prisma/adapter-pg';
import fp from 'fastify-plugin';
import pg from 'pg';
import { Gauge } from 'prom-client';
import { PrismaClient } from '../../generated/prisma/client.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: PrismaClient;
  }
}

function createPool(databaseUrl: string, poolSize: number): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
}

/** A client with its own pool, for commands and tests; `$disconnect` closes it. */
export function createPrisma(databaseUrl: string, poolSize: number): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}

export default fp(
  async (app) => {
    const pool = createPool(app.config.databaseUrl, app.config.dbPoolSize);
    // A broken idle connection must not crash the process; the next query reconnects.
    pool.on('error', (err) => app.log.warn({ err }, 'idle database connection failed'));
    // Every statement, pooled or in a transaction, goes through a client's query().
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as { query: unknown }).query = (...args: unknown[]) => {
        app.metrics.dbStatements.inc();
        return query(...args);
      };
    });
    const db = new PrismaClient({ adapter: new PrismaPg(pool) });
    app.decorate('db', db);

    const registers = [app.metrics.registry];
    new Gauge({
      name: 'tickets_db_pool_connections',
      help: 'Database connections of this replica, by state',
      labelNames: ['state'] as const,
      registers,
      collect() {
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'busy' }, pool.totalCount - pool.idleCount);
      },
    });
    new Gauge({
      name: 'tickets_db_pool_waiting_requests',
      help: 'Queries waiting for a free database connection',
      registers,
      collect() {
        this.set(pool.waitingCount);
      },
    });
    new Gauge({
      name: 'tickets_db_pool_max_connections',
      help: 'Size of the database pool (DB_POOL_SIZE)',
      registers,
    }).set(app.config.dbPoolSize);

    app.addHook('onClose', async () => {
      await db.$disconnect();
      await pool.end();
    });
  },
  { name: 'prisma', dependencies: ['config', 'metrics'] },
);
