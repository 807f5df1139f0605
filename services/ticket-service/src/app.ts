// The whole service as one Fastify plugin: outside clients first, then the
// cross-cutting app plugins, then the routes. server.ts and the tests register it.
import sseModule, { type SSEPluginOptions } from '@fastify/sse';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from './config.ts';
import type { PaymentProvider } from './domain/payments/provider.ts';
import type { Faults } from './event-lock/faults.ts';
import adminBootstrap from './plugins/app/admin-bootstrap.ts';
import auth from './plugins/app/auth.ts';
import domainContext from './plugins/app/domain-context.ts';
import errorHandler from './plugins/app/error-handler.ts';
import eventLock from './plugins/app/event-lock.ts';
import purchase from './plugins/app/purchase.ts';
import rateLimits from './plugins/app/rate-limits.ts';
import replica from './plugins/app/replica.ts';
import ticketCodes from './plugins/app/ticket-codes.ts';
import validation from './plugins/app/validation.ts';
import waitingRoom from './plugins/app/waiting-room.ts';
import webhooks from './plugins/app/webhooks.ts';
import metrics from './plugins/external/metrics.ts';
import openapi from './plugins/external/openapi.ts';
import prisma from './plugins/external/prisma.ts';
import redis from './plugins/external/redis.ts';
import securityHeaders from './plugins/external/security-headers.ts';
import userChanges from './plugins/external/user-changes.ts';
import adminAudit from './routes/admin/audit.ts';
import adminCheckIn from './routes/admin/check-in.ts';
import adminEventExports from './routes/admin/event-exports.ts';
import adminEventImage from './routes/admin/event-image.ts';
import adminEvents from './routes/admin/events.ts';
import adminOrders from './routes/admin/orders.ts';
import adminUsers from './routes/admin/users.ts';
import adminWebhooks from './routes/admin/webhooks.ts';
import authRoutes from './routes/auth.ts';
import eventImage from './routes/event-image.ts';
import events from './routes/events.ts';
import health from './routes/health.ts';
import holds from './routes/holds.ts';
import me from './routes/me.ts';
import orders from './routes/orders.ts';
import queue from './routes/queue.ts';
import stream from './routes/stream.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

export interface AppOptions {
  config: Config;
  /** The payment provider (tests pass one they can inspect); the built-in test provider by default. */
  payments?: PaymentProvider;
  /**
   * Fault hooks into the purchase path (tests set them, on this object or on
   * `app.faults`, which is this same object); none by default.
   */
  faults?: Faults;
  /** The clock of admission decisions (sales opening, waiting room), epoch ms; Date.now by default. */
  now?: () => number;
}

// @fastify/sse is CommonJS: its module object is the fastify-plugin-wrapped
// function, while its typings describe an ES default export.
const sse = sseModule as unknown as FastifyPluginAsync<SSEPluginOptions>;

const configPlugin = fp<AppOptions>(async (app, opts) => app.decorate('config', opts.config), {
  name: 'config',
});

async function app(fastify: FastifyInstance, opts: AppOptions) {
  await fastify.register(configPlugin, opts);
  await fastify.register(validation);
  await fastify.register(errorHandler);
  await fastify.register(replica);
  // The API answers JSON only; the gateway sets the web client's CSP and HSTS.
  await fastify.register(securityHeaders);
  await fastify.register(metrics);
  await fastify.register(openapi);
  await fastify.register(prisma);
  await fastify.register(redis);
  await fastify.register(eventLock);
  await fastify.register(userChanges);
  await fastify.register(domainContext);
  await fastify.register(auth);
  await fastify.register(ticketCodes);
  await fastify.register(rateLimits);
  await fastify.register(adminBootstrap);
  await fastify.register(purchase, { payments: opts.payments, faults: opts.faults });
  await fastify.register(waitingRoom, { now: opts.now });
  await fastify.register(webhooks);
  await fastify.register(sse, { heartbeatInterval: 15_000 });

  await fastify.register(health);
  await fastify.register(
    async (api) => {
      await api.register(authRoutes);
      await api.register(me);
      await api.register(events);
      await api.register(eventImage);
      await api.register(stream);
      await api.register(holds);
      await api.register(orders);
      await api.register(queue);
      await api.register(adminEvents);
      await api.register(adminOrders);
      await api.register(adminWebhooks);
      await api.register(adminEventImage);
      await api.register(adminEventExports);
      await api.register(adminUsers);
      await api.register(adminAudit);
      await api.register(adminCheckIn);
    },
    { prefix: '/api/v1' },
  );
}

export default fp(app, { name: 'ticket-service' });
