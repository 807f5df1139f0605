// Who holds which seat is known to the replicas, never told on the public SSE stream.
import { createEvent, signup } from '@tickets/testkit/app';
import { buyNow, hold, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import type { SeatFeedMessage } from '../../src/lib/seat-feed.ts';
import { a, admin, b, eventually, hall, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('the public stream', () => {
  it('when seats are held and sold, then the replicas learn who has them and the SSE stream says only id and status', async () => {
    const event = await createEvent(a, admin, hall());
    const s = (await seatsOf(a, event.id)).seats.map((x) => x.id);
    const buyer = await signup(a);
    // B's view is loaded before the changes: it learns the owners from the feed.
    const view = await b.purchase.seatViews.of(event.id);
    const internal: SeatFeedMessage[] = [];
    const unsubscribe = b.seatFeed.subscribe(event.id, (m) => internal.push(m));
    const baseUrl = await b.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(), 20_000);
    try {
      const stream = await fetch(`${baseUrl}/api/v1/events/${event.id}/stream`, {
        headers: { accept: 'text/event-stream' },
        signal: abort.signal,
      });
      expect(stream.status).toBe(200);
      const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          text += decoder.decode(value, { stream: true });
        }
      };
      await readUntil(/event: ready/);
      expect((await hold(a, buyer, event.id, { seatIds: [s[0]] })).statusCode).toBe(201);
      expect((await buyNow(a, buyer, event.id, { seatIds: [s[1]] })).statusCode).toBe(201);
      await readUntil(/"held"[\s\S]*"sold"|"sold"[\s\S]*"held"/);
      const changes = text
        .split(/\n\n/)
        .filter((block) => block.includes('event: seats'))
        .flatMap(
          (block) =>
            JSON.parse(
              block
                .split('\n')
                .find((l) => l.startsWith('data: '))
                ?.slice(6) ?? '{}',
            ).changes,
        );
      expect(changes.length).toBeGreaterThanOrEqual(2);
      for (const change of changes) expect(Object.keys(change).sort()).toEqual(['id', 'status']);
      expect(text).not.toContain(buyer.id);
      // Inside the cluster the feed carries the owner, so every replica's view can count.
      await eventually(async () => internal.flatMap((m) => m.changes).length >= 2);
      for (const change of internal.flatMap((m) => m.changes)) expect(change.owner).toBe(buyer.id);
      await eventually(async () => view.owned(buyer.id) === 2);
    } finally {
      clearTimeout(deadline);
      abort.abort();
      unsubscribe();
    }
  });
});
