// One ioredis client per independent Redis master. They are not a cluster or a
// replicated set: Redlock needs independent nodes and a majority of them.
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import { closeClient } from '../../lib/redis-quorum.ts';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis[];
  }
}

/**
 * `commandTimeoutMs` (REDIS_COMMAND_TIMEOUT_MS) bounds every command, here and
 * on every client duplicated from these (the pub/sub subscribers).
 */
export function createRedisClients(urls: string[], commandTimeoutMs = 500): Redis[] {
  return urls.map(
    (url) =>
      new Redis(url, {
        // A node that is down must fail fast so the quorum decides, rather than
        // queueing commands until it comes back.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
        // A node that is up but hung (paused, overloaded, a half-open connection)
        // never answers: its commands fail after this long...
        commandTimeout: commandTimeoutMs,
        // ...and its connection is dropped, so that later commands fail at once
        // (not writable: no offline queue) while it reconnects, instead of each
        // waiting out the timeout: a contended lock decides among the others.
        socketTimeout: commandTimeoutMs,
        // Not auto-pipelined (enableAutoPipelining), although it would save socket
        // writes on a busy replica: with it, ioredis 6 throws "results[i] is not
        // iterable" outside any promise (buyer-limits/concurrency.test.ts shows it
        // every run), which would end the process.
      }),
  );
}

export default fp(
  async (app) => {
    const clients = createRedisClients(app.config.redisUrls, app.config.redisCommandTimeoutMs);
    for (const [i, client] of clients.entries()) {
      // Without a listener ioredis prints every reconnect failure as unhandled.
      client.on('error', (err) => app.log.debug({ err, node: i }, 'redis node error'));
      const send = client.sendCommand.bind(client);
      client.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
        app.metrics.redisCommands.inc();
        return send(...args);
      };
    }
    app.decorate('redis', clients);
    // Give the nodes a moment to connect so the first requests find a quorum;
    // a node that is down does not hold up the start (readiness reports it).
    await Promise.all(clients.map((c) => connected(c, 2_000)));
    app.addHook('onClose', async () => {
      await Promise.all(clients.map(closeClient));
    });
  },
  { name: 'redis', dependencies: ['config', 'metrics'] },
);

function connected(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}
