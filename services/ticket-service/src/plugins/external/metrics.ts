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

    // Callback hooks, not async ones: they run for every request, and an async
    // hook costs a promise each time.
    app.addHook('onRequest', (_request, reply, done) => {
      metrics.httpInFlight.inc();
      // 'close' fires once, whether the answer completed or the client went away.
      reply.raw.once('close', () => metrics.httpInFlight.dec());
      done();
    });

    app.addHook('onResponse', (request, reply, done) => {
      // The route pattern, never the raw URL, keeps label cardinality bounded.
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.httpDuration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'metrics' },
);
