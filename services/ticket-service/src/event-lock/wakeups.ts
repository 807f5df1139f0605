// Hand-off of an event lock between replicas. A replica that finds the lock
// taken would otherwise sleep out a retry delay, and under a surge the lock then
// lies idle between one holder's release and the next holder's retry. Instead,
// a holder announces its release on Redis pub/sub (every master, as the seat
// feed does) and waiting replicas retry at once. The message is only a hint:
// waiters also retry on a timer, so a lost message or a holder that died costs
// at most that timer, never correctness (the lock itself decides).
//
// The other way round, a replica that finds the lock taken says that it wants it:
// a holder keeps its lock after its queue ran empty (so that its next requests
// need no new acquisition), and lets go at once when another replica wants it.
import type { Redis } from 'ioredis';
import { closeClient } from '../lib/redis-quorum.ts';
import { subscribeOn } from '../lib/redis-subscriber.ts';

const RELEASED = 'tickets:lock-released';
const WANTED = 'tickets:lock-wanted';

export interface LockWakeups {
  /** Tells waiting replicas that this event's lock is free. */
  released(eventId: string): void;
  /** Resolves on the next release of the event's lock, or after `timeoutMs`. */
  wait(eventId: string, timeoutMs: number): Promise<void>;
  /** Tells the replica holding this event's lock that another one waits for it. */
  want(eventId: string): void;
  /** Called with the event id whenever some replica wants an event's lock. */
  onWanted(listener: (eventId: string) => void): void;
  close(): Promise<void>;
}

export function createLockWakeups(clients: Redis[], onError: (err: unknown) => void): LockWakeups {
  const waiters = new Map<string, Set<() => void>>();
  let wantedListener: (eventId: string) => void = () => {};

  function wake(eventId: string) {
    const set = waiters.get(eventId);
    if (!set) return;
    waiters.delete(eventId);
    for (const resolve of set) resolve();
  }

  const subscribers = clients.map((c) =>
    subscribeOn(c, [RELEASED, WANTED], {
      message: (channel, eventId) => {
        if (channel === WANTED) wantedListener(eventId);
        else wake(eventId);
      },
      error: onError,
    }),
  );

  const publish = (channel: string, eventId: string) => {
    for (const client of clients) {
      if (client.status === 'ready') client.publish(channel, eventId).catch(onError);
    }
  };

  return {
    released(eventId) {
      // The releasing replica's own waiters need no message.
      wake(eventId);
      publish(RELEASED, eventId);
    },
    want(eventId) {
      publish(WANTED, eventId);
    },
    onWanted(listener) {
      wantedListener = listener;
    },
    wait(eventId, timeoutMs) {
      return new Promise<void>((resolve) => {
        let set = waiters.get(eventId);
        if (!set) {
          set = new Set();
          waiters.set(eventId, set);
        }
        const done = () => {
          clearTimeout(timer);
          const current = waiters.get(eventId);
          current?.delete(done);
          if (current?.size === 0) waiters.delete(eventId);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        set.add(done);
      });
    },
    async close() {
      for (const set of waiters.values()) for (const resolve of set) resolve();
      waiters.clear();
      await Promise.all(subscribers.map(closeClient));
    },
  };
}
