// Prometheus metrics (definitions: lib/metrics.ts), served on /metrics.
import fp from 'fastify-plugin';
import { createMetrics, type Metrics } from '../../lib/metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

export default fp(
  async (app) => {
    const metrics = createMetrics();
    app.decorate('metrics', metrics);

    app.addHook('onRequest', async (_request, reply) => {
      metrics.httpInFlight.inc();
      // 'close' fires once, whether the answer completed or the client went away.
      reply.raw.once('close', () => metrics.httpInFlight.dec());
    });

    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, never the raw URL, keeps label cardinality bounded.
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpDuration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'metrics' },
);
