// Wires the purchase path: the context its domain functions receive, the live
// seat feed, and the sweepers every replica runs: one releases expired holds,
// one captures orders whose capture was lost, one refunds cancelled orders whose
// refund was not recorded.
import fp from 'fastify-plugin';
import { sweepRefunds } from '../../domain/orders/refunds.ts';
import { createCaptureMarks } from '../../domain/payments/capture-marks.ts';
import { sweepCaptures } from '../../domain/payments/capture-sweep.ts';
import type { PaymentProvider } from '../../domain/payments/provider.ts';
import { createTestPaymentProvider } from '../../domain/payments/test-provider.ts';
import type { PurchaseContext } from '../../domain/purchase/context.ts';
import { expireHolds } from '../../domain/purchase/expire-holds.ts';
import { createSaleWriter } from '../../domain/purchase/sale-writer.ts';
import { createSeatViews, defaultSeatViewSettings } from '../../domain/purchase/seat-views.ts';
import { createUsedKeys } from '../../domain/purchase/used-keys.ts';
import type { Faults } from '../../event-lock/faults.ts';
import { createSeatFeed, type SeatFeed } from '../../lib/seat-feed.ts';

declare module 'fastify' {
  interface FastifyInstance {
    purchase: PurchaseContext;
    seatFeed: SeatFeed;
    /** The fault hooks the app was given (AppOptions.faults); empty in production. */
    faults: Faults;
  }
}

export interface PurchaseOptions {
  /** The payment provider; the built-in test provider when not given. */
  payments?: PaymentProvider;
  /** Test hooks into the purchase path; none when not given. The same object becomes `app.faults`. */
  faults?: Faults;
}

/**
 * Runs `work` every `intervalMs`, never two at once; a failure waits for the next
 * tick. With `stuckAfterMs`, a run that has lasted that long no longer holds the
 * others back: the next tick starts a new run beside it.
 */
function sweeper(
  intervalMs: number,
  work: () => Promise<void>,
  onError: (err: unknown) => void,
  stuckAfterMs = Number.POSITIVE_INFINITY,
) {
  let runningSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (runningSince !== undefined && Date.now() - runningSince < stuckAfterMs) return;
    const started = Date.now();
    runningSince = started;
    try {
      await work();
    } catch (err) {
      onError(err);
    } finally {
      // A run given up on must not clear the mark of the one that replaced it.
      if (runningSince === started) runningSince = undefined;
    }
  };
  return {
    start() {
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

export default fp<PurchaseOptions>(
  async (app, opts) => {
    const feed = createSeatFeed(app.redis, (err) => app.log.debug({ err }, 'seat feed error'));
    const faults: Faults = opts.faults ?? {};
    const seatViews = createSeatViews(app.db, (eventId, listener) => feed.subscribe(eventId, listener), {
      ...defaultSeatViewSettings,
      maxAgeMs: app.config.seatViewMaxAgeMs,
    });
    const ctx: PurchaseContext = {
      ...app.domain,
      locks: app.locks,
      payments: opts.payments ?? createTestPaymentProvider(),
      captureMarks: createCaptureMarks(app.db, (err, orderIds) =>
        app.log.warn({ err, orderIds }, 'capture marks not written; the capture sweep settles those orders'),
      ),
      seatViews,
      usedKeys: createUsedKeys(app.db),
      saleWriter: createSaleWriter(
        app.db,
        app.config.replicaId,
        { maxRounds: app.config.saleCallMaxRounds, inFlight: app.config.saleCallsInFlight },
        (rounds) => app.metrics.saleCallRounds.observe(rounds),
      ),
      // The copy of the event's settings the sales gate keeps (registered after
      // this plugin, asked only once requests run): no statement when it knows
      // the event, which the gate before the purchase has just made sure of.
      ticketLimitOf: async (eventId) => (await app.waitingRoom.gateOf(eventId))?.maxTicketsPerCustomer,
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

    // A release waits its turn in its event's queue (at most LOCK_QUEUE_WAIT_MS),
    // then runs under one lease: one that takes longer than both is stuck. A
    // sweep gives up on such a hold and ends within two of these deadlines plus
    // its two queries (each bounded by the pool's timeouts), so one that runs
    // three deadlines is stuck somewhere else and the next tick starts afresh.
    const holdDeadlineMs = app.config.lockQueueWaitMs + app.config.lockTtlMs;
    const holdSweep = sweeper(
      app.config.holdSweepIntervalMs,
      async () => {
        const expired = await expireHolds(ctx, { holdDeadlineMs });
        if (expired > 0) app.log.info({ expired }, 'released expired holds');
        app.metrics.holdsActive.set(await app.db.hold.count({ where: { status: 'active' } }));
      },
      (err) => app.log.warn({ err }, 'hold sweep failed; retrying on the next tick'),
      3 * holdDeadlineMs,
    );
    const captureSweep = sweeper(
      app.config.captureSweepIntervalMs,
      async () => {
        const swept = await sweepCaptures(ctx, { graceMs: app.config.captureGraceMs });
        // Each failure is logged where it happened; a capture the sweep made means one was lost.
        if (swept.captured > 0) app.log.warn(swept, 'capture sweep captured orders whose capture was lost');
      },
      (err) => app.log.warn({ err }, 'capture sweep failed; retrying on the next tick'),
    );
    // Cancelled orders whose refund failed or was never recorded (domain/orders/refunds.ts).
    const refundSweep = sweeper(
      app.config.refundSweepIntervalMs,
      async () => {
        const swept = await sweepRefunds(ctx);
        if (swept.refunded > 0) app.log.warn(swept, 'refund sweep refunded cancelled orders');
      },
      (err) => app.log.warn({ err }, 'refund sweep failed; retrying on the next tick'),
    );
    app.addHook('onReady', async () => {
      holdSweep.start();
      captureSweep.start();
      refundSweep.start();
    });
    app.addHook('preClose', async () => {
      holdSweep.stop();
      captureSweep.stop();
      refundSweep.stop();
    });
    app.addHook('onClose', async () => {
      ctx.seatViews.close();
      // The last requests' captures are recorded before the database closes.
      await ctx.captureMarks.flush();
      await feed.close();
    });
  },
  { name: 'purchase', dependencies: ['domain-context', 'event-lock', 'redis', 'metrics'] },
);
