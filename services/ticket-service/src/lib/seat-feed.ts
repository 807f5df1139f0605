// Live seat changes across replicas. A replica that commits a seat change
// publishes it on one Redis master; every replica subscribes on every master and
// relays each change once to its own SSE clients, so the feed lives while any
// master does. The master is the one this replica published on last (it starts
// at a random one, so replicas spread over them); when it is down or fails, the
// next connected one takes the message. One copy, not one per master: each copy
// is a write here, work in Redis and a delivery to every replica, per sale. What
// that gives up is a message in flight on a master at the moment it dies: the
// seat views notice the gap in versions and reload, and so does the web client.
// Duplicates (around a fail-over) are recognised by (event, version). The
// messages of one turn of the event loop (the rounds of one sale call, which
// finish together) go to their master as one pipeline (turn-pipeline.ts).
import type { Redis } from 'ioredis';
import { closeClient } from './redis-quorum.ts';
import { subscribeOn } from './redis-subscriber.ts';
import { createTurnPipeline } from './turn-pipeline.ts';

export interface SeatFeedMessage {
  eventId: string;
  version: number;
  /**
   * `owner`: the user id of the order or active hold that has the seat (null:
   * available). Internal: the public stream (routes/stream.ts) leaves it out.
   */
  changes: { id: string; status: string; owner?: string | null }[];
}

export type SeatListener = (message: SeatFeedMessage) => void;

const CHANNEL = 'tickets:seats';
const REMEMBERED_VERSIONS = 4096;
const EVENT_ID_PREFIX = '{"eventId":"';

export interface SeatFeed {
  publish(message: SeatFeedMessage): void;
  subscribe(eventId: string, listener: SeatListener): () => void;
  subscriberCount(): number;
  close(): Promise<void>;
}

export function createSeatFeed(clients: Redis[], onError: (err: unknown) => void): SeatFeed {
  const listeners = new Map<string, Set<SeatListener>>();
  // Per event, the versions already relayed (insertion-ordered, trimmed).
  const seen = new Map<string, Set<number>>();

  function deliver(raw: string) {
    // Every replica receives every event's changes; one with no listener for the
    // event (no seat view, no stream of it) reads the event id off the front of
    // the message, where publish() puts it, instead of parsing the whole message.
    if (raw.startsWith(EVENT_ID_PREFIX)) {
      const eventId = raw.slice(EVENT_ID_PREFIX.length, raw.indexOf('"', EVENT_ID_PREFIX.length));
      if (!listeners.has(eventId)) return;
    }
    let message: SeatFeedMessage;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    const targets = listeners.get(message.eventId);
    if (!targets) return;
    let versions = seen.get(message.eventId);
    if (!versions) {
      versions = new Set();
      seen.set(message.eventId, versions);
    }
    if (versions.has(message.version)) return;
    versions.add(message.version);
    if (versions.size > REMEMBERED_VERSIONS) {
      const oldest = versions.values().next().value as number;
      versions.delete(oldest);
    }
    for (const listener of targets) listener(message);
  }

  let preferred = Math.floor(Math.random() * clients.length);
  const turns = clients.map(createTurnPipeline);
  async function publishOnOne(raw: string) {
    for (let tried = 0; tried < clients.length; tried++) {
      const at = (preferred + tried) % clients.length;
      const client = clients[at] as Redis;
      if (client.status !== 'ready') continue;
      try {
        await turns[at]?.send('publish', [CHANNEL, raw]);
        preferred = at;
        return;
      } catch (err) {
        onError(err);
      }
    }
  }

  const subscribers = clients.map((c) =>
    subscribeOn(c, [CHANNEL], { message: (_channel, raw) => deliver(raw), error: onError }),
  );

  return {
    publish(message) {
      // Fire and forget: a lost notification costs a stale seat map until the
      // client's next refresh, never a wrong sale.
      // The event id first (see deliver).
      const { eventId, version, changes } = message;
      void publishOnOne(JSON.stringify({ eventId, version, changes }));
    },
    subscribe(eventId, listener) {
      let set = listeners.get(eventId);
      if (!set) {
        set = new Set();
        listeners.set(eventId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) {
          listeners.delete(eventId);
          seen.delete(eventId);
        }
      };
    },
    subscriberCount() {
      let n = 0;
      for (const set of listeners.values()) n += set.size;
      return n;
    },
    async close() {
      await Promise.all(subscribers.map(closeClient));
    },
  };
}
