// Behaviour that needs two real replica processes: idempotency across replicas
// and the live seat map relayed from one replica to another's subscribers.
import { randomUUID } from 'node:crypto';
import { eventBody } from '@tickets/testkit/app';
import { testServices } from '@tickets/testkit/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../src/plugins/external/prisma.ts';
import { type Buyer, createBuyers } from './support/buyers.ts';
import { purchase } from './support/http.ts';
import { type Replica, startReplica, waitFor } from './support/processes.ts';

const JWT_SECRET = 'replicas-test-secret-0123456789';
const { databaseUrl, redisUrls } = testServices();
const db = createPrisma(databaseUrl, 2);
let replicas: Replica[] = [];
let admin: Buyer;

beforeAll(async () => {
  const env = { DATABASE_URL: databaseUrl, REDIS_URLS: redisUrls.join(','), JWT_SECRET };
  replicas = await Promise.all(['rep-a', 'rep-b'].map((id) => startReplica(id, env)));
  [admin] = (await createBuyers(db, 1, JWT_SECRET, 'rep-admin')) as [Buyer];
  await db.user.update({ where: { id: admin.id }, data: { role: 'admin' } });
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await db.$disconnect();
});

const [A, B] = [() => replicas[0] as Replica, () => replicas[1] as Replica];

async function newEvent(): Promise<string> {
  const res = await fetch(`${A().url}/api/v1/admin/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(eventBody()),
  });
  return ((await res.json()) as { id: string }).id;
}

describe('two replicas', () => {
  it('when the same key and body reach both replicas at once, then both answers name one stored order', async () => {
    const eventId = await newEvent();
    const buyers = await createBuyers(db, 5, JWT_SECRET, 'twin');
    for (const buyer of buyers) {
      const call = {
        token: buyer.token,
        userId: buyer.id,
        eventId,
        key: randomUUID(),
        body: { quantity: 2, payment: { method: 'test', card: '4242424242424242' } },
      };
      const [x, y] = await Promise.all([
        purchase({ ...call, baseUrl: A().url }),
        purchase({ ...call, baseUrl: B().url }),
      ]);
      expect([x.outcome, y.outcome]).toEqual(['ok', 'ok']);
      expect(x.orderId).toBe(y.orderId);
      expect([x.status, y.status].sort()).toEqual([200, 201]);
      expect(await db.order.count({ where: { userId: buyer.id } })).toBe(1);
    }
    expect(await db.ticket.count({ where: { eventId } })).toBe(10);
  });

  it('when a seat is sold through replica B, then a buyer watching on replica A sees it turn sold', async () => {
    const eventId = await newEvent();
    const map = (await (await fetch(`${A().url}/api/v1/events/${eventId}/seats`)).json()) as {
      version: number;
      seats: { id: string }[];
    };
    const abort = new AbortController();
    const stream = await fetch(`${A().url}/api/v1/events/${eventId}/stream`, {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    // A stream that stops delivering must not hang the test: end it at a deadline.
    const deadline = setTimeout(() => abort.abort(), 20_000);
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = (pattern: RegExp) =>
      waitFor(`stream to show ${pattern}`, async () => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          text += decoder.decode(value, { stream: true });
        }
        return true;
      });
    try {
      await readUntil(/event: ready/);
      const [buyer] = (await createBuyers(db, 1, JWT_SECRET, 'watcher')) as [Buyer];
      const seats = map.seats.slice(0, 2).map((s) => s.id);
      const bought = await purchase({
        baseUrl: B().url,
        token: buyer.token,
        userId: buyer.id,
        eventId,
        key: randomUUID(),
        body: { seatIds: seats, payment: { method: 'test', card: '4242424242424242' } },
      });
      expect(bought.outcome).toBe('ok');
      await readUntil(/"status":"sold"/);
      const events = text
        .split('\n\n')
        .filter((block) => block.includes('event: seats'))
        .map((block) =>
          JSON.parse(
            block
              .split('\n')
              .find((l) => l.startsWith('data: '))
              ?.slice(6) ?? '{}',
          ),
        );
      const sold = events.find((e) => e.changes.some((c: { status: string }) => c.status === 'sold'));
      expect(
        sold.changes
          .filter((c: { status: string }) => c.status === 'sold')
          .map((c: { id: string }) => c.id)
          .sort(),
      ).toEqual([...seats].sort());
      expect(sold.version).toBeGreaterThan(map.version);
      const versions = events.map((e) => e.version);
      expect(new Set(versions).size).toBe(versions.length);
    } finally {
      clearTimeout(deadline);
      abort.abort();
    }
  });
});
