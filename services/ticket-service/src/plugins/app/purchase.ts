// Wires the purchase path: the context its domain functions receive, the live
// seat feed, and the sweeper that releases expired holds on every replica.
import fp from 'fastify-plugin';
import { createTestPaymentProvider } from '../../domain/payments/test-provider.ts';
import type { Faults, PurchaseContext } from '../../domain/purchase/context.ts';
import { expireHolds } from '../../domain/purchase/expire-holds.ts';
import { createSeatViews, defaultSeatViewSettings } from '../../domain/purchase/seat-view.ts';
import { createSeatFeed, type SeatFeed } from '../../lib/seat-feed.ts';

declare module 'fastify' {
  interface FastifyInstance {
    purchase: PurchaseContext;
    seatFeed: SeatFeed;
    /** Test hooks; nothing sets them in production. */
    faults: Faults;
  }
}

export default fp(
  async (app) => {
    const feed = createSeatFeed(app.redis, (err) => app.log.debug({ err }, 'seat feed error'));
    const faults: Faults = {};
    const seatViews = createSeatViews(app.db, (eventId, listener) => feed.subscribe(eventId, listener), {
      ...defaultSeatViewSettings,
      maxAgeMs: app.config.seatViewMaxAgeMs,
    });
    const ctx: PurchaseContext = {
      ...app.domain,
      locks: app.locks,
      payments: createTestPaymentProvider(),
      seatViews,
      metrics: app.metrics,
      holdTtlSeconds: app.config.holdTtlSeconds,
      publishSeats: (eventId, version, changes) => {
        const message = { eventId, version, changes };
        feed.publish(message);
        // This replica's own view learns at once: the next batch under the same
        // lock hold decides from it (see sell-batch.ts).
        seatViews.apply(message);
      },
      faults,
      log: app.log,
    };
    app.decorate('purchase', ctx);
    app.decorate('seatFeed', feed);
    app.decorate('faults', faults);

    let sweeping = false;
    const sweep = async () => {
      if (sweeping) return;
      sweeping = true;
      try {
        const expired = await expireHolds(ctx);
        if (expired > 0) app.log.info({ expired }, 'released expired holds');
        app.metrics.holdsActive.set(await app.db.hold.count({ where: { status: 'active' } }));
      } catch (err) {
        app.log.warn({ err }, 'hold sweep failed; retrying on the next tick');
      } finally {
        sweeping = false;
      }
    };
    let timer: NodeJS.Timeout | undefined;
    app.addHook('onReady', async () => {
      timer = setInterval(sweep, app.config.holdSweepIntervalMs);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      clearInterval(timer);
    });
    app.addHook('onClose', async () => {
      ctx.seatViews.close();
      await feed.close();
    });
  },
  { name: 'purchase', dependencies: ['domain-context', 'redlock', 'redis', 'metrics'] },
);
