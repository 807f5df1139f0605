// Wires the per-event lock (src/event-lock/): its Redlock on the Redis masters,
// its wake-ups over pub/sub, its epochs from PostgreSQL, its metrics.
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import { takeEpoch } from '../../event-lock/epoch.ts';
import { createEventLocker } from '../../event-lock/locker.ts';
import { defaultLockSettings } from '../../event-lock/settings.ts';
import type { EventLocker } from '../../event-lock/types.ts';
import { createLockWakeups } from '../../event-lock/wakeups.ts';

declare module 'fastify' {
  interface FastifyInstance {
    locks: EventLocker;
  }
}

export default fp(
  async (app) => {
    const m = app.metrics;
    const wakeups = createLockWakeups(app.redis, (err) => app.log.debug({ err }, 'lock wake-up error'));
    app.addHook('onClose', async () => {
      await wakeups.close();
    });
    app.decorate(
      'locks',
      createEventLocker(
        app.redis,
        {
          ...defaultLockSettings,
          ttlMs: app.config.lockTtlMs,
          clockSkewMs: app.config.lockClockSkewMs,
          minValidityMs: Math.floor(app.config.lockTtlMs / 3),
          maxBatch: app.config.purchaseBatchMax,
          maxHoldMs: app.config.lockHoldMaxMs,
          lingerMs: app.config.lockLingerMs,
          queueTimeoutMs: app.config.lockQueueWaitMs,
          maxQueue: app.config.lockQueueMax,
          redisTimeoutMs: app.config.redisCommandTimeoutMs,
        },
        {
          acquired: (seconds) => m.lockAcquireSeconds.observe(seconds),
          batch: (size, seconds) => {
            m.purchaseBatchSize.observe(size);
            m.purchaseBatchSeconds.observe(seconds);
          },
          held: (seconds) => m.lockHoldSeconds.observe(seconds),
          failed: (reason) => m.lockFailures.inc({ reason }),
          releaseFailed: (err) => app.log.warn({ err }, 'lock release failed; the lease will expire'),
        },
        (eventId) => takeEpoch(app.db, eventId),
        wakeups,
      ),
    );
    // A lingering hold keeps its lock for up to a second: on shutdown it lets go
    // at once, while the Redis clients are still open to release it.
    app.addHook('preClose', async () => app.locks.close());
    new Gauge({
      name: 'tickets_lock_queue_waiting',
      help: 'Requests waiting in this replica for an event lock, over all events',
      registers: [m.registry],
      collect() {
        this.set(app.locks.queued());
      },
    });
  },
  { name: 'event-lock', dependencies: ['redis', 'metrics', 'prisma'] },
);
