// Tells every replica that a user's email, role or token version changed, so that
// each drops its cached copy of the row (lib/user-cache.ts). As with the seat feed,
// a change is published on every Redis master and every replica subscribes on every
// master: one master down loses nothing. A change arrives once per master;
// dropping a copy twice costs nothing, so duplicates need no bookkeeping.
//
// The same mechanism, on a channel of its own, tells replicas that an event's
// sales settings changed (plugins/app/waiting-room.ts); the "user id" is then an
// event id.
import type { Redis } from 'ioredis';
import { closeClient } from './redis-quorum.ts';
import { subscribeOn } from './redis-subscriber.ts';

const CHANNEL = 'tickets:user-changes';

export interface UserChangeListener {
  /** This user's row changed: drop any copy of it. */
  changed(userId: string): void;
  /** Notifications may have been missed: drop every copy. */
  missed(): void;
}

export interface UserChangeFeed {
  /** Call after COMMIT: this replica hears it at once, the others one pub/sub hop later. */
  publish(userId: string): void;
  listen(listener: UserChangeListener): void;
  /** Whether a subscription is up, that is, whether a change could reach this replica now. */
  live(): boolean;
  /** Resolves once a subscription is up, or after timeoutMs. */
  ready(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

interface Log {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export function createUserChangeFeed(clients: Redis[], log: Log, channel = CHANNEL): UserChangeFeed {
  const listeners: UserChangeListener[] = [];
  const up = new Set<number>();
  const wasUp = new Set<number>();
  const waiters = new Set<() => void>();
  const onError = (err: unknown) => log.debug({ err }, 'user change feed error');

  const changed = (userId: string) => {
    for (const listener of listeners) listener.changed(userId);
  };

  // Subscribed again on every 'ready' (lib/redis-subscriber.ts), so that we know
  // when a reconnected subscription is really back.
  const subscribers = clients.map((c, node) => {
    const sub = subscribeOn(c, [channel], {
      message: (_channel, userId) => changed(userId),
      error: onError,
      subscribed: () => {
        // Changes published while this subscription was down may have reached no
        // other one either (the publisher may have reached only this master).
        if (wasUp.has(node)) for (const listener of listeners) listener.missed();
        wasUp.add(node);
        up.add(node);
        for (const wake of waiters) wake();
      },
    });
    sub.on('close', () => up.delete(node));
    return sub;
  });

  return {
    publish(userId) {
      changed(userId);
      // Not awaited: the change is committed whatever Redis says. A change that
      // reaches no master is dropped elsewhere only when the copies expire.
      void Promise.allSettled(clients.map((c) => c.publish(channel, userId))).then((results) => {
        const failed = results.filter((r) => r.status === 'rejected');
        if (failed.length === results.length) {
          log.warn(
            { id: userId, channel },
            'change notification reached no Redis master; other replicas see it within their cache TTL',
          );
        } else if (failed.length > 0) {
          log.debug(
            { id: userId, channel, failed: failed.length },
            'change notification missed some Redis masters',
          );
        }
      });
    },
    listen(listener) {
      listeners.push(listener);
    },
    live: () => up.size > 0,
    ready(timeoutMs) {
      return new Promise((resolve) => {
        const wake = () => {
          if (up.size === 0) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve();
        }, timeoutMs);
        waiters.add(wake);
        wake();
      });
    },
    async close() {
      await Promise.all(subscribers.map(closeClient));
    },
  };
}
