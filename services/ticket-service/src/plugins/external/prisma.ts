// Prisma client over node-postgres (adapter-pg): no native query engine needed.
// The pg pool is ours, so that its occupancy can be exported as metrics.
import { PrismaPg } from '@prisma/adapter-pg';
import fp from 'fastify-plugin';
import pg from 'pg';
import { Gauge } from 'prom-client';
import type { Config } from '../../config.ts';
import { PrismaClient } from '../../generated/prisma/client.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: PrismaClient;
  }
}

type Bounds = Pick<Config, 'dbStatementTimeoutMs' | 'dbLockTimeoutMs' | 'dbIdleInTransactionTimeoutMs'>;

/**
 * Limits that PostgreSQL enforces on every session of the pool. They travel as
 * startup parameters of each connection, so they cost no statement of their own.
 * With L the lease of the event lock (LOCK_TTL_MS, 3 s by default):
 *
 * - idle_in_transaction_session_timeout = L. A replica paused inside its
 *   transaction (SIGSTOP, a long GC pause, a partition) keeps the event row it
 *   fenced, and every later holder's fence waits for that row. The server ends
 *   such a session after L of silence: its transaction rolls back and the row is
 *   free, so the event stalls for at most about L. Nothing is lost that was still
 *   usable: work starts only while a third of the lease remains, so a holder idle
 *   for L has no lease left. The fence still holds: the rollback writes nothing,
 *   the paused replica's next statement fails on its dead connection (503), and
 *   once the next holder has taken its epoch, nothing of the old one matches.
 * - lock_timeout = L/3. A request waiting for a row lock (the event row of such a
 *   paused holder) gives up while its own lease is still worth something, and
 *   is answered 503 with Retry-After; its hold releases the lock for the next one.
 * - statement_timeout = max(5 s, L): above lock_timeout, so that a lock wait ends
 *   as lock_not_available (55P03) and not as a cancelled statement; above any
 *   statement of the purchase path on a loaded machine. Creating a large event
 *   takes more, and says so for its own transaction (create-event.ts).
 *
 * config.ts refuses settings that break these relations. Not bounded here: a
 * server that stops answering altogether (a hung process, a black-holed network);
 * only TCP notices that, and Prisma's transaction timeouts.
 */
export function sessionLimits(bounds: Bounds) {
  return {
    statement_timeout: bounds.dbStatementTimeoutMs,
    lock_timeout: bounds.dbLockTimeoutMs,
    idle_in_transaction_session_timeout: bounds.dbIdleInTransactionTimeoutMs,
  } satisfies pg.ClientConfig;
}

function createPool(config: Config): pg.Pool {
  return new pg.Pool({
    connectionString: config.databaseUrl,
    max: config.dbPoolSize,
    // Waiting for a free connection, or for a new one to open, ends with
    // "timeout exceeded when trying to connect": a 503, not a hung request.
    connectionTimeoutMillis: config.dbConnectTimeoutMs,
    idleTimeoutMillis: 30_000,
    // Names this replica's sessions in pg_stat_activity (operators, tests).
    application_name: config.replicaId.slice(0, 63),
    ...sessionLimits(config),
  });
}

/** A client with its own pool, for commands and tests; `$disconnect` closes it. */
export function createPrisma(databaseUrl: string, poolSize: number): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize }) });
}

export default fp(
  async (app) => {
    const pool = createPool(app.config);
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
