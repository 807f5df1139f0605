// One pub/sub subscription on one Redis master, kept up for the life of the
// replica. Its own connection (a subscribed connection can do nothing else),
// subscribed again on every (re)connect, and again after a failed attempt, so
// that a subscription is never silently missing: when a change is published on
// only one master (lib/seat-feed.ts), a replica without a subscription there
// would miss every change of that publisher.
//
// The connection has no command or socket timeout, unlike the clients it is
// made from (plugins/external/redis.ts): it waits for messages, not for
// answers, and a SUBSCRIBE answered late (a replica starved of CPU at start)
// must not cost the subscription.
import type { Redis } from 'ioredis';

const RETRY_MS = 1_000;

export interface SubscriberHandlers {
  message(channel: string, text: string): void;
  error(err: unknown): void;
  /** The subscription is (again) in place on this master. */
  subscribed?(): void;
}

export function subscribeOn(client: Redis, channels: string[], on: SubscriberHandlers): Redis {
  const sub = client.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    autoResubscribe: false,
    commandTimeout: undefined,
    socketTimeout: undefined,
  });
  let retry: NodeJS.Timeout | undefined;
  const subscribe = () => {
    clearTimeout(retry);
    sub.subscribe(...channels).then(
      () => on.subscribed?.(),
      (err) => {
        on.error(err);
        if (sub.status === 'ready') retry = setTimeout(subscribe, RETRY_MS);
      },
    );
  };
  sub.on('error', on.error);
  sub.on('message', on.message);
  sub.on('ready', subscribe);
  sub.on('end', () => clearTimeout(retry));
  return sub;
}
