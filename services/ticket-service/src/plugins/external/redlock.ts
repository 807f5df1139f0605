import fp from 'fastify-plugin';
import { takeEpoch } from '../../domain/purchase/epoch.ts';
import { createEventLocker, defaultLockSettings, type EventLocker } from '../../lib/event-lock.ts';

declare module 'fastify' {
  interface FastifyInstance {
    locks: EventLocker;
  }
}

export default fp(
  async (app) => {
    const m = app.metrics;
    app.decorate(
      'locks',
      createEventLocker(
        app.redis,
        {
          ...defaultLockSettings,
          ttlMs: app.config.lockTtlMs,
          minValidityMs: Math.floor(app.config.lockTtlMs / 3),
        },
        {
          acquired: (seconds) => m.lockAcquireSeconds.observe(seconds),
          failed: (reason) => m.lockFailures.inc({ reason }),
          releaseFailed: (err) => app.log.warn({ err }, 'lock release failed; the lease will expire'),
        },
        (eventId) => takeEpoch(app.db, eventId),
      ),
    );
  },
  { name: 'redlock', dependencies: ['redis', 'metrics', 'prisma'] },
);
