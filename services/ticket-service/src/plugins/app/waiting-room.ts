// Sales that open at a set time, and waiting rooms (README, "Waiting room").
//
// `requireAdmission` runs before every hold and one-step order: before the
// event's salesStartAt it refuses with SALES_NOT_OPEN; on an event with a
// waiting room it wants an Admission-Token for this customer and event, else
// ADMISSION_REQUIRED. Hold orders do not pass through it: the hold was admitted.
//
// Both checks read the event's sales settings from this replica's copy, so that
// they cost the purchase path no statement (a warm purchase costs none before its
// round). Bound on staleness, as for the auth cache: the replica that changes the
// settings drops its copy at once; every other replica within one pub/sub hop
// (the change is published on every Redis master); in the worst case within
// EVENT_CACHE_TTL_MS. A replica with no live subscription reads the row every time.
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';
import type { EventView } from '../../domain/events/event-view.ts';
import { gateOf, readSalesGate, type SalesGate } from '../../domain/events/sales-settings.ts';
import {
  type AdmissionCheck,
  admissionKey,
  createAdmissionTokens,
} from '../../domain/waiting-room/admission-token.ts';
import type { WaitingRoomContext } from '../../domain/waiting-room/context.ts';
import { createUserCache } from '../../lib/user-cache.ts';
import { createUserChangeFeed } from '../../lib/user-change-feed.ts';

const CHANNEL = 'tickets:event-changes';
const MAX_CACHED_EVENTS = 10_000;

declare module 'fastify' {
  interface FastifyInstance {
    waitingRoom: WaitingRoomContext;
    salesGates: {
      /** Call after COMMIT of a change to an event's sales settings: every replica drops its copy. */
      changed(eventId: string): void;
      /** An event this replica just created: it knows the settings without reading them. */
      created(view: EventView): void;
    };
    /** preHandler of POST /events/:eventId/holds and /orders. */
    requireAdmission(request: FastifyRequest): Promise<void>;
  }
}

export interface WaitingRoomOptions {
  /** Epoch ms for every admission decision; tests pass a fake clock. */
  now?: () => number;
}

const REFUSALS: Record<Exclude<AdmissionCheck, 'ok'>, string> = {
  missing: 'This event has a waiting room: join its queue, then send the Admission-Token it gives you.',
  invalid: 'The Admission-Token is not valid for this event and customer: join the queue.',
  expired: 'The admission has run out: join the queue again.',
};

export default fp<WaitingRoomOptions>(
  async (app, opts) => {
    const now = opts.now ?? Date.now;
    const tokens = createAdmissionTokens(admissionKey(app.config.jwtSecret));
    const cache = createUserCache<SalesGate>({
      maxEntries: MAX_CACHED_EVENTS,
      ttlMs: app.config.eventCacheTtlMs,
    });
    const feed = createUserChangeFeed(app.redis, app.log, CHANNEL);
    feed.listen({ changed: (id) => cache.invalidate(id), missed: () => cache.clear() });
    app.addHook('onClose', async () => {
      await feed.close();
    });
    await feed.ready(2_000);

    // The first requests for an event a replica does not know share one read.
    const reading = new Map<string, Promise<SalesGate | undefined>>();
    const gateOfEvent = async (eventId: string): Promise<SalesGate | undefined> => {
      const live = feed.live();
      const cached = live ? cache.get(eventId) : undefined;
      if (cached) return cached;
      let read = reading.get(eventId);
      if (!read) {
        const generation = cache.generation();
        read = readSalesGate(app.db, eventId)
          .then((gate) => {
            // Unknown events are not cached: the purchase path answers their 404.
            if (gate && live) cache.store(generation, gate);
            return gate;
          })
          .finally(() => reading.delete(eventId));
        reading.set(eventId, read);
      }
      return read;
    };

    app.decorate('waitingRoom', {
      ...app.domain,
      now,
      admissionTtlMs: app.config.admissionTtlSeconds * 1000,
      tokens,
      gateOf: gateOfEvent,
    });
    app.decorate('salesGates', {
      changed: (eventId: string) => feed.publish(eventId),
      created: (view: EventView) => {
        if (feed.live()) cache.store(cache.generation(), gateOf(view));
      },
    });
    app.decorate('requireAdmission', async (request: FastifyRequest) => {
      const { eventId } = request.params as { eventId: string };
      const gate = await gateOfEvent(eventId);
      if (!gate) return;
      const at = now();
      if (gate.salesStartAt !== null && at < gate.salesStartAt) {
        const opens = new Date(gate.salesStartAt).toISOString();
        throw new AppError('SALES_NOT_OPEN', `Sales for this event open at ${opens}.`, {
          salesStartAt: opens,
        });
      }
      if (!gate.waitingRoom) return;
      const header = request.headers['admission-token'];
      const check = tokens.check(typeof header === 'string' ? header : undefined, {
        eventId,
        userId: request.user.id,
        now: at,
      });
      if (check !== 'ok') throw new AppError('ADMISSION_REQUIRED', REFUSALS[check], { reason: check });
    });
  },
  { name: 'waiting-room', dependencies: ['config', 'prisma', 'redis', 'domain-context', 'auth'] },
);
