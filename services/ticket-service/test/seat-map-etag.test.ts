// Conditional GET of the seat map: a strong ETag from the event and its seat
// version, and 304 without a body when If-None-Match names it (what browsers and
// the gateway's cache revalidation send).
import { randomUUID } from 'node:crypto';
import { buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { hold } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ifNoneMatch } from '../src/lib/if-none-match.ts';

let app: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  app = await buildTestApp();
  admin = await createAdmin(app);
});
afterAll(async () => {
  await app?.close();
});

const seatsUrl = (eventId: string) => `/api/v1/events/${eventId}/seats`;
const getSeats = (eventId: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') =>
  app.inject({ method, url: seatsUrl(eventId), headers });

describe('seat map ETag', () => {
  it('when the seat map is fetched, then it carries a strong ETag made of the event id and its version', async () => {
    const event = await createEvent(app, admin);
    const res = await getSeats(event.id);
    expect(res.statusCode).toBe(200);
    expect(res.json().version).toBe(0);
    expect(res.headers.etag).toBe(`"${event.id}.0"`);
  });

  it('when If-None-Match names the current ETag, then the answer is 304 with the ETag and no body', async () => {
    const event = await createEvent(app, admin);
    const etag = String((await getSeats(event.id)).headers.etag);
    for (const header of [etag, `W/${etag}`, `"something-else", ${etag}`, '*']) {
      const res = await getSeats(event.id, { 'if-none-match': header });
      expect(res.statusCode, header).toBe(304);
      expect(res.body, header).toBe('');
      expect(res.headers.etag, header).toBe(etag);
      expect(res.headers['content-length'], header).toBeUndefined();
      expect(res.headers['x-replica-id'], header).toBe('test-replica');
    }
    const head = await getSeats(event.id, { 'if-none-match': etag }, 'HEAD');
    expect(head.statusCode).toBe(304);
    expect(head.body).toBe('');
  });

  it('when a seat changes, then the old ETag no longer matches: 200 with the new map and a new ETag', async () => {
    const event = await createEvent(app, admin);
    const before = await getSeats(event.id);
    const stale = String(before.headers.etag);
    const customer = await signup(app, 'etag');
    const held = await hold(app, customer, event.id, { quantity: 1 });
    expect(held.statusCode, held.body).toBe(201);

    const res = await getSeats(event.id, { 'if-none-match': stale });
    expect(res.statusCode).toBe(200);
    const map = res.json();
    expect(map.version).toBeGreaterThan(before.json().version);
    expect(map.seats.filter((s: { status: string }) => s.status === 'held')).toHaveLength(1);
    expect(res.headers.etag).toBe(`"${event.id}.${map.version}"`);
    expect(res.headers.etag).not.toBe(stale);
  });

  it("when If-None-Match names another event's ETag or the event does not exist, then it is not a 304", async () => {
    const [one, other] = [await createEvent(app, admin), await createEvent(app, admin)];
    const otherTag = String((await getSeats(other.id)).headers.etag);
    expect((await getSeats(one.id, { 'if-none-match': otherTag })).statusCode).toBe(200);
    const missing = await getSeats(randomUUID(), { 'if-none-match': '*' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers.etag).toBeUndefined();
  });
});

describe('ifNoneMatch', () => {
  it('when headers of every form are compared, then only a tag with the same opaque value (or *) matches', () => {
    const etag = '"e.7"';
    expect(ifNoneMatch(undefined, etag)).toBe(false);
    expect(ifNoneMatch('', etag)).toBe(false);
    expect(ifNoneMatch('"e.7"', etag)).toBe(true);
    expect(ifNoneMatch('W/"e.7"', etag)).toBe(true);
    expect(ifNoneMatch(' * ', etag)).toBe(true);
    expect(ifNoneMatch('"a", W/"b" ,"e.7"', etag)).toBe(true);
    expect(ifNoneMatch('"e.70"', etag)).toBe(false);
    expect(ifNoneMatch('e.7', etag)).toBe(false);
    expect(ifNoneMatch('"e.6", "e.8"', etag)).toBe(false);
  });
});
