// Per-customer limits (issue #12, item 2): a customer's tickets for an event
// (orders not cancelled) plus the seats their active holds keep never exceed the
// event's maxTicketsPerCustomer, on any replica and under concurrency. Two apps
// share PostgreSQL and Redis here, as replicas do.
import { randomUUID } from 'node:crypto';
import {
  bearer,
  buildTestApp,
  createAdmin,
  createEvent,
  eventBody,
  signup,
  type TestUser,
} from '@tickets/testkit/app';
import { buyNow, hold, orderHold, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeatFeedMessage } from '../src/lib/seat-feed.ts';

let a: FastifyInstance;
let b: FastifyInstance;
let admin: TestUser;

beforeAll(async () => {
  [a, b] = await Promise.all([
    buildTestApp({ replicaId: 'limits-a' }),
    buildTestApp({ replicaId: 'limits-b' }),
  ]);
  admin = await createAdmin(a);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

const hall = (maxTicketsPerCustomer?: number) => ({
  layout: { sections: [{ name: 'Stalls', rows: 10, seatsPerRow: 10, priceCents: 2500 }] },
  ...(maxTicketsPerCustomer === undefined ? {} : { maxTicketsPerCustomer }),
});

/** What counts against the limit, counted here on its own: tickets plus seats of active holds. */
async function holdsOf(eventId: string, userId: string): Promise<number> {
  const tickets = await a.db.ticket.count({ where: { eventId, order: { userId } } });
  const holds = await a.db.hold.findMany({ where: { eventId, userId, status: 'active' } });
  return tickets + holds.reduce((n, h) => n + h.seatIds.length, 0);
}

async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
  expect(await check()).toBe(true);
}

function patch(eventId: string, payload: object) {
  return a.inject({
    method: 'PATCH',
    url: `/api/v1/admin/events/${eventId}`,
    headers: bearer(admin),
    payload,
  });
}

describe('the setting', () => {
  it('when an event is created without a limit, then it is 10, shown to the public and to admins', async () => {
    const event = await createEvent(a, admin, hall());
    expect((event as { maxTicketsPerCustomer?: number }).maxTicketsPerCustomer).toBe(10);
    const shown = await b.inject({ method: 'GET', url: `/api/v1/events/${event.id}` });
    expect(shown.json().maxTicketsPerCustomer).toBe(10);
    const listed = await a.inject({ method: 'GET', url: '/api/v1/admin/events', headers: bearer(admin) });
    const item = listed.json().items.find((e: { id: string }) => e.id === event.id);
    expect(item.maxTicketsPerCustomer).toBe(10);
  });

  it('when an admin sets it on create and changes it with PATCH, then the event shows it and the log says so', async () => {
    const event = await createEvent(a, admin, hall(4));
    expect((event as { maxTicketsPerCustomer?: number }).maxTicketsPerCustomer).toBe(4);
    const changed = await patch(event.id, { maxTicketsPerCustomer: 100 });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().maxTicketsPerCustomer).toBe(100);
    expect(changed.json().status).toBe('on_sale');
    const logged = await a.db.auditEntry.findFirst({
      where: { action: 'event.limit', subject: `event:${event.id}` },
    });
    expect(logged?.detail).toEqual({ maxTicketsPerCustomer: 100 });
  });

  it.each([0, 101, 2.5, '5', null])('when the limit is %s, then create and PATCH answer 400', async (bad) => {
    const event = await createEvent(a, admin, hall());
    const created = await a.inject({
      method: 'POST',
      url: '/api/v1/admin/events',
      headers: bearer(admin),
      payload: eventBody({ ...hall(), maxTicketsPerCustomer: bad }),
    });
    expect(created.statusCode).toBe(400);
    expect(created.json().code).toBe('VALIDATION_FAILED');
    const patched = await patch(event.id, { maxTicketsPerCustomer: bad });
    expect(patched.statusCode).toBe(400);
  });
});

describe('one-step purchases', () => {
  it('when a purchase would pass the limit, then 409 LIMIT_EXCEEDED says how many remain and its seats stay on sale', async () => {
    const event = await createEvent(a, admin, hall(4));
    const s = (await seatsOf(a, event.id)).seats.map((x) => x.id);
    const buyer = await signup(a);
    expect((await buyNow(a, buyer, event.id, { seatIds: [s[0], s[1], s[2]] })).statusCode).toBe(201);
    const named = await buyNow(a, buyer, event.id, { seatIds: [s[3], s[4]] });
    expect(named.statusCode).toBe(409);
    expect(named.headers['content-type']).toContain('application/problem+json');
    expect(named.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', status: 409, remaining: 1 });
    const best = await buyNow(b, buyer, event.id, { quantity: 2 });
    expect(best.statusCode).toBe(409);
    expect(best.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 1 });
    expect(
      await a.db.seat.count({ where: { id: { in: [s[3], s[4]] as string[] }, status: 'available' } }),
    ).toBe(2);
    expect((await buyNow(b, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    const none = await buyNow(a, buyer, event.id, { seatIds: [s[9]] });
    expect(none.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 0 });
    expect(await holdsOf(event.id, buyer.id)).toBe(4);
  });

  it('when customers buy for the same event, then each has a limit of their own', async () => {
    const event = await createEvent(a, admin, hall(2));
    const [x, y] = [await signup(a), await signup(a)];
    expect((await buyNow(a, x, event.id, { quantity: 2 })).statusCode).toBe(201);
    expect((await buyNow(b, y, event.id, { quantity: 2 })).statusCode).toBe(201);
    expect((await buyNow(a, x, event.id, { quantity: 1 })).json().code).toBe('LIMIT_EXCEEDED');
    expect((await buyNow(b, y, event.id, { quantity: 1 })).json().code).toBe('LIMIT_EXCEEDED');
    // And one event's limit says nothing about another's.
    const other = await createEvent(a, admin, hall(2));
    expect((await buyNow(a, x, other.id, { quantity: 2 })).statusCode).toBe(201);
  });

  it('when a purchase that reached the limit is retried with its key, then it is replayed, not refused', async () => {
    const event = await createEvent(a, admin, hall(2));
    const buyer = await signup(a);
    const key = randomUUID();
    const first = await buyNow(a, buyer, event.id, { quantity: 2 }, key);
    expect(first.statusCode).toBe(201);
    for (const app of [a, b]) {
      const again = await buyNow(app, buyer, event.id, { quantity: 2 }, key);
      expect(again.statusCode).toBe(200);
      expect(again.json().id).toBe(first.json().id);
    }
  });
});

describe('holds', () => {
  it('when a customer holds seats, then they count until the hold is bought or released', async () => {
    const event = await createEvent(a, admin, hall(5));
    const s = (await seatsOf(a, event.id)).seats.map((x) => x.id);
    const buyer = await signup(a);
    const held = await hold(a, buyer, event.id, { seatIds: [s[0], s[1], s[2]] });
    expect(held.statusCode).toBe(201);
    // One-step purchases count the held seats, on either replica.
    const tooMany = await buyNow(b, buyer, event.id, { quantity: 3 });
    expect(tooMany.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 2 });
    // So do holds.
    const another = await hold(b, buyer, event.id, { quantity: 3 });
    expect(another.statusCode).toBe(409);
    expect(another.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 2 });
    expect((await buyNow(a, buyer, event.id, { seatIds: [s[3], s[4]] })).statusCode).toBe(201);
    expect((await hold(a, buyer, event.id, { seatIds: [s[5]] })).json()).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      remaining: 0,
    });
    // Buying the hold adds nothing: its seats were counted already.
    expect((await orderHold(b, buyer, held.json().id)).statusCode).toBe(201);
    expect(await holdsOf(event.id, buyer.id)).toBe(5);

    // A released hold no longer counts.
    const other = await signup(a);
    const small = await hold(a, other, event.id, { seatIds: [s[10], s[11], s[12], s[13], s[14]] });
    expect(small.statusCode).toBe(201);
    expect((await buyNow(a, other, event.id, { quantity: 1 })).json().code).toBe('LIMIT_EXCEEDED');
    const released = await a.inject({
      method: 'DELETE',
      url: `/api/v1/holds/${small.json().id}`,
      headers: bearer(other),
    });
    expect(released.statusCode).toBe(204);
    expect((await buyNow(a, other, event.id, { quantity: 5 })).statusCode).toBe(201);
  });
});

describe('changes and stale copies', () => {
  it('when the admin lowers the limit, then later purchases and holds on every replica obey it; what was bought stays', async () => {
    const event = await createEvent(a, admin, hall());
    const buyer = await signup(a);
    // Replica B knows the event (its seat view and its copy of the settings).
    expect((await buyNow(b, buyer, event.id, { quantity: 4 })).statusCode).toBe(201);
    expect((await patch(event.id, { maxTicketsPerCustomer: 5 })).statusCode).toBe(200);
    const over = await buyNow(b, buyer, event.id, { quantity: 2 });
    expect(over.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 1 });
    expect((await buyNow(b, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
    expect((await hold(b, buyer, event.id, { quantity: 1 })).json().code).toBe('LIMIT_EXCEEDED');
    // Lowered below what the customer has: nothing is taken back, nothing more is sold.
    expect((await patch(event.id, { maxTicketsPerCustomer: 3 })).statusCode).toBe(200);
    expect((await buyNow(b, buyer, event.id, { quantity: 1 })).json()).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      remaining: 0,
    });
    expect(await holdsOf(event.id, buyer.id)).toBe(5);
    // Raised again: every replica sells up to the new limit (after one pub/sub hop at most).
    expect((await patch(event.id, { maxTicketsPerCustomer: 6 })).statusCode).toBe(200);
    let bought = false;
    for (let i = 0; i < 200 && !bought; i++) {
      const res = await buyNow(b, buyer, event.id, { quantity: 1 });
      bought = res.statusCode === 201;
      if (!bought) {
        expect(res.json().code).toBe('LIMIT_EXCEEDED');
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    expect(bought).toBe(true);
    expect(await holdsOf(event.id, buyer.id)).toBe(6);
  });

  it("when a replica's copy of the limit is stale, then the database refuses the round and it is decided again", async () => {
    const event = await createEvent(a, admin, hall(3));
    const buyer = await signup(a);
    const limitOf = b.purchase.ticketLimitOf;
    // As if B never heard of a lowered limit: it decides with 100.
    b.purchase.ticketLimitOf = async () => 100;
    try {
      expect((await buyNow(b, buyer, event.id, { quantity: 2 })).statusCode).toBe(201);
      const over = await buyNow(b, buyer, event.id, { quantity: 2 });
      expect(over.statusCode).toBe(409);
      expect(over.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 1 });
    } finally {
      b.purchase.ticketLimitOf = limitOf;
    }
    expect(await holdsOf(event.id, buyer.id)).toBe(2);
  });

  it("when a replica's seat view does not know who has the seats, then the database's check still holds the limit", async () => {
    const event = await createEvent(a, admin, hall(3));
    const buyer = await signup(a);
    const view = await a.purchase.seatViews.of(event.id);
    // Changes published without their owner (as an older replica would): no
    // view counts them for the buyer.
    const publish = a.purchase.publishSeats;
    a.purchase.publishSeats = (eventId, version, changes) =>
      publish(
        eventId,
        version,
        changes.map((c) => ({ ...c, owner: null })),
      );
    try {
      expect((await buyNow(a, buyer, event.id, { quantity: 3 })).statusCode).toBe(201);
    } finally {
      a.purchase.publishSeats = publish;
    }
    expect(view.owned(buyer.id)).toBe(0);
    const over = await buyNow(a, buyer, event.id, { quantity: 1 });
    expect(over.statusCode).toBe(409);
    expect(over.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 0 });
    expect(await holdsOf(event.id, buyer.id)).toBe(3);
    // The view was found wrong: it is read again, and then counts the buyer's seats.
    await eventually(async () => (await a.purchase.seatViews.of(event.id)).owned(buyer.id) === 3);
  });
});

describe('under concurrency', () => {
  it('when one customer sends 50 purchases and holds at once through two replicas, then they never pass the limit', async () => {
    const limit = 7;
    const event = await createEvent(a, admin, hall(limit));
    const s = (await seatsOf(a, event.id)).seats.map((x) => x.id);
    const [buyer, rival] = [await signup(a), await signup(a)];
    const pick = (n: number) => [...s].sort(() => Math.random() - 0.5).slice(0, n);
    const attempt = (who: TestUser, i: number) => {
      const app = i % 2 === 0 ? a : b;
      if (i % 10 === 9)
        return hold(app, who, event.id, i % 20 === 9 ? { quantity: 1 } : { seatIds: pick(1) });
      return buyNow(
        app,
        who,
        event.id,
        i % 3 === 0 ? { quantity: 1 + (i % 4) } : { seatIds: pick(1 + (i % 2)) },
      );
    };
    const answers = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => attempt(buyer, i).then((res) => ({ who: buyer, res }))),
      ...Array.from({ length: 20 }, (_, i) => attempt(rival, i).then((res) => ({ who: rival, res }))),
    ]);
    for (const { res } of answers) {
      expect([200, 201, 409, 503]).toContain(res.statusCode);
      if (res.statusCode === 409 && res.json().code === 'LIMIT_EXCEEDED') {
        expect(res.json().remaining).toBeGreaterThanOrEqual(0);
        expect(res.json().remaining).toBeLessThan(limit);
      }
    }
    expect(answers.some(({ who, res }) => who === buyer && res.json().code === 'LIMIT_EXCEEDED')).toBe(true);
    for (const who of [buyer, rival]) {
      const got = await holdsOf(event.id, who.id);
      expect(got).toBeLessThanOrEqual(limit);
      // Every seat counted was answered 201 (nothing stored for a refusal).
      const answered = answers
        .filter((x) => x.who === who && x.res.statusCode === 201)
        .reduce((n, x) => n + (x.res.json().seats as unknown[]).length, 0);
      expect(got).toBe(answered);
    }
    // The limit is reached exactly, not short of it: single seats until refused.
    for (let i = 0; i < limit; i++) {
      const res = await buyNow(i % 2 === 0 ? a : b, buyer, event.id, { quantity: 1 });
      if (res.statusCode === 409) {
        expect(res.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 0 });
        break;
      }
      expect(res.statusCode).toBe(201);
    }
    expect(await holdsOf(event.id, buyer.id)).toBe(limit);
  }, 60_000);
});

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
