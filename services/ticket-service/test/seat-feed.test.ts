// The seat feed on its own (lib/seat-feed.ts), against real Redis masters: each
// change is published once (on one master), every replica that listens receives
// it once, and while any master is up changes still get through.
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { subscribeOn } from '../src/lib/redis-subscriber.ts';
import { createSeatFeed, type SeatFeedMessage } from '../src/lib/seat-feed.ts';
import { createRedisClients } from '../src/plugins/external/redis.ts';
import { useOwnRedisMasters } from './support/own-redis.ts';
import { writesDuring } from './support/socket-writes.ts';

const masters = useOwnRedisMasters(3, 'seat-feed');

async function publishCalls(): Promise<number> {
  let total = 0;
  for (const c of masters.clients) {
    if (c.status !== 'ready') continue;
    const stats = await c.info('commandstats');
    total += Number(/cmdstat_publish:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  }
  return total;
}

async function until(check: () => boolean) {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

describe('seat feed', () => {
  it('when a replica publishes changes, then each goes out once and reaches every listening replica once', async () => {
    const a = createSeatFeed(masters.clients, () => {});
    const b = createSeatFeed(masters.clients, () => {});
    const received: SeatFeedMessage[] = [];
    b.subscribe('event-1', (m) => received.push(m));
    try {
      await new Promise((r) => setTimeout(r, 100)); // subscriptions settle
      const before = await publishCalls();
      // Published in one turn of the event loop (as the rounds of one sale call
      // are): one write on one master's socket for all five.
      const { writes } = await writesDuring(masters.clients, async () => {
        for (let version = 1; version <= 5; version++) {
          a.publish({ eventId: 'event-1', version, changes: [{ id: `seat-${version}`, status: 'sold' }] });
        }
        await until(() => received.length === 5);
      });
      expect(writes).toBe(1);
      await new Promise((r) => setTimeout(r, 100)); // no late duplicates
      expect(received.map((m) => m.version)).toEqual([1, 2, 3, 4, 5]);
      expect((await publishCalls()) - before).toBe(5);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("when changes of several events arrive, then each listener gets its own event's, whatever the order of the fields", async () => {
    const b = createSeatFeed(masters.clients, () => {});
    const received: string[] = [];
    b.subscribe('event-7', (m) => received.push(`${m.eventId} ${m.version}`));
    const publisher = masters.clients[0] as Redis;
    try {
      // Subscribed on the master this test publishes on (not a sleep: a loaded machine may take longer).
      for (let i = 0; i < 500; i++) {
        const [, subscribers] = (await publisher.pubsub('NUMSUB', 'tickets:seats')) as [string, number];
        if (Number(subscribers) >= 1) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      // As publish() writes them (the event id first), for another event and for this one.
      await publisher.publish(
        'tickets:seats',
        JSON.stringify({ eventId: 'event-70', version: 1, changes: [] }),
      );
      await publisher.publish(
        'tickets:seats',
        JSON.stringify({ eventId: 'event-7', version: 1, changes: [] }),
      );
      // Written by something else, the event id later: still read whole.
      await publisher.publish(
        'tickets:seats',
        JSON.stringify({ version: 2, eventId: 'event-7', changes: [] }),
      );
      await publisher.publish(
        'tickets:seats',
        JSON.stringify({ version: 3, eventId: 'event-70', changes: [] }),
      );
      await until(() => received.length === 2);
      await new Promise((r) => setTimeout(r, 100));
      expect(received).toEqual(['event-7 1', 'event-7 2']);
    } finally {
      await b.close();
    }
  });

  it('when the answer to a SUBSCRIBE is read late, then the subscription is still made and its messages arrive', async () => {
    // Clients with a short command timeout, as a replica's are: an answer read
    // later than that fails the command, and a subscription that failed so was
    // lost for good (the seat feed publishes each change on one master only).
    const [quick] = createRedisClients([masters.servers[2]?.url as string], 100);
    const received: string[] = [];
    const sub = subscribeOn(quick as Redis, ['late-channel'], {
      message: (_channel, text) => received.push(text),
      error: () => {},
    });
    // After subscribeOn's own 'ready' listener has sent SUBSCRIBE, the event loop
    // is busy for longer than the timeout (a replica starved of CPU at start):
    // the timer is due before the answer is read.
    sub.once('ready', () => {
      const until = Date.now() + 300;
      while (Date.now() < until) {}
    });
    try {
      for (let i = 0; i < 200 && received.length === 0; i++) {
        await masters.clients[2]?.publish('late-channel', 'hello');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(received[0]).toBe('hello');
    } finally {
      sub.disconnect();
      quick?.disconnect();
    }
  });

  it('when two of the three masters are down, then changes still reach the other replicas', async () => {
    const a = createSeatFeed(masters.clients, () => {});
    const b = createSeatFeed(masters.clients, () => {});
    const received: number[] = [];
    b.subscribe('event-2', (m) => received.push(m.version));
    try {
      await new Promise((r) => setTimeout(r, 100));
      await Promise.all(masters.servers.slice(0, 2).map((s) => s.stop()));
      await until(() => masters.clients.slice(0, 2).every((c) => c.status !== 'ready'));
      for (let version = 1; version <= 3; version++) {
        a.publish({ eventId: 'event-2', version, changes: [] });
      }
      await until(() => received.length === 3);
      expect(received).toEqual([1, 2, 3]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
