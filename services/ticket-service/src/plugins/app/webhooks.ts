// Every replica sends the webhook outbox (domain/webhooks/sender.ts): a round
// every WEBHOOK_SEND_INTERVAL_MS, never two at once, and at once again while a
// round found a full batch. What a replica claimed and did not finish when it
// stops is sent by another once the claim's lease runs out.
import fp from 'fastify-plugin';
import { type SenderSettings, sendDueWebhooks } from '../../domain/webhooks/sender.ts';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: {
      /** Runs one round now (tests, and nothing else). */
      sendNow(overrides?: Partial<SenderSettings>): Promise<{ delivered: number; failed: number }>;
    };
  }
}

export default fp(
  async (app) => {
    const settings: SenderSettings = {
      allow: app.config.webhookAllowPrivateTargets,
      baseDelayMs: app.config.webhookRetryBaseMs,
    };
    const ctx = { db: app.db, replica: app.config.replicaId, log: app.log };
    let running: Promise<unknown> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;

    const round = async () => {
      if (running || stopped) return;
      running = (async () => {
        try {
          for (let rounds = 0; rounds < 20 && !stopped; rounds++) {
            const sent = await sendDueWebhooks(ctx, settings);
            if (sent.delivered + sent.failed < 50) break;
          }
        } catch (err) {
          app.log.warn({ err }, 'webhook round failed; retrying on the next tick');
        }
      })();
      await running;
      running = undefined;
    };

    app.decorate('webhooks', {
      sendNow: (overrides = {}) => sendDueWebhooks(ctx, { ...settings, ...overrides }),
    });
    app.addHook('onReady', async () => {
      timer = setInterval(round, app.config.webhookSendIntervalMs);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      stopped = true;
      clearInterval(timer);
      // A round in flight finishes its sends (each bounded by its time limit).
      await running;
    });
  },
  { name: 'webhooks', dependencies: ['prisma'] },
);
