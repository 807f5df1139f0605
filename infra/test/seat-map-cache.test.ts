// The gateway's seat-map micro-cache on the real local cluster (nginx with TLS, two
// replicas, PostgreSQL, Redis): repeated reads within the TTL never reach a replica,
// a change shows once the TTL has passed, and the live stream is neither cached nor
// buffered. Waits poll for an outcome; nothing here asserts how fast anything is.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { Answer } from '@tickets/testkit/https-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../cluster/state.ts';
import { pollUntil } from '../lib/process.ts';
import { type GatewayCluster, startGatewayCluster } from './support/gateway-cluster.ts';

// Not the default (1 s), to show that the setting reaches nginx, and long enough that
// two requests in a row fall within it however loaded the machine is.
const TTL_SECONDS = 3;
const SEAT_ROUTE = '/api/v1/events/:eventId/seats';

let gateway: GatewayCluster;
let state: ClusterState;
let ca: string;
let client: GatewayCluster['client'];
let adminToken: string;

beforeAll(async () => {
  gateway = await startGatewayCluster(2, { TICKETS_SEATMAP_CACHE_SECONDS: String(TTL_SECONDS) });
  ({ state, ca, client, adminToken } = gateway);
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
}, 120_000);

async function createEvent(): Promise<string> {
  const res = await client.call('POST', '/api/v1/admin/events', {
    headers: { authorization: `Bearer ${adminToken}` },
    body: {
      title: `Seat map cache ${randomUUID().slice(0, 8)}`,
      venue: 'Hall',
      startsAt: new Date(Date.now() + 86400_000).toISOString(),
      currency: 'EUR',
      layout: { sections: [{ name: 'A', rows: 2, seatsPerRow: 5, priceCents: 1000 }] },
    },
  });
  expect(res.status, res.body).toBe(201);
  return JSON.parse(res.body).id;
}

/** Holds one seat of the event for a new customer: a seat change, bumping the version. */
async function holdOneSeat(eventId: string): Promise<void> {
  const signup = await client.call('POST', '/api/v1/auth/signup', {
    body: { email: `cache-${randomUUID().slice(0, 8)}@example.test`, password: 'a long password', name: 'C' },
  });
  const token = JSON.parse(signup.body).token;
  const held = await client.call('POST', `/api/v1/events/${eventId}/holds`, {
    headers: { authorization: `Bearer ${token}` },
    body: { quantity: 1 },
  });
  expect(held.status, held.body).toBe(201);
}

const seatsOf = (eventId: string, headers: Record<string, string> = {}) =>
  client.call('GET', `/api/v1/events/${eventId}/seats`, { headers });
const cacheStatus = (a: Answer) => a.headers['x-cache-status'];
const versionOf = (a: Answer) => JSON.parse(a.body).version as number;

/** Seat-map requests the replicas have answered, from their own /metrics. */
async function seatMapRequestsServed(): Promise<number> {
  let total = 0;
  for (const replica of state.replicas) {
    const text = await (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith('http_request_duration_seconds_count{') && line.includes(`route="${SEAT_ROUTE}"`)) {
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
  }
  return total;
}

/** Reads the seat map until `done` says so, returning every answer seen. */
async function readUntil(eventId: string, done: (a: Answer) => boolean): Promise<Answer[]> {
  const seen: Answer[] = [];
  await pollUntil(
    async () => {
      seen.push(await seatsOf(eventId));
      return done(seen.at(-1) as Answer);
    },
    'the seat map to change at the gateway',
    30_000,
    100,
  );
  return seen;
}

describe('seat maps at the gateway', () => {
  it('when the cluster starts with TICKETS_SEATMAP_CACHE_SECONDS, then nginx keeps seat maps that long', () => {
    const conf = readFileSync(join(gateway.cluster.runDir, 'gateway/nginx.conf'), 'utf8');
    expect(conf).toContain(`proxy_cache_valid 200 404 ${TTL_SECONDS}s;`);
  });

  it('when one seat map is read twice within the TTL, then the second answer is a HIT that reached no replica', async () => {
    const eventId = await createEvent();
    const before = await seatMapRequestsServed();
    const first = await seatsOf(eventId);
    expect(first.status).toBe(200);
    expect(cacheStatus(first)).toBe('MISS');
    const second = await seatsOf(eventId);
    expect(second.status).toBe(200);
    expect(cacheStatus(second)).toBe('HIT');
    expect(second.body).toBe(first.body);
    expect(second.headers.etag).toBe(`"${eventId}.0"`);
    // The replica named is the one that filled the cache; the request id is this request's own.
    expect(second.headers['x-replica-id']).toBe(first.headers['x-replica-id']);
    expect(second.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(second.headers['strict-transport-security']).toBe('max-age=63072000');
    // A client revalidating its own copy is answered by the gateway too.
    const revalidated = await seatsOf(eventId, { 'if-none-match': String(first.headers.etag) });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toBe('');
    expect(await seatMapRequestsServed()).toBe(before + 1);
    // Nothing else goes through the cache.
    expect(cacheStatus(await client.call('GET', `/api/v1/events/${eventId}`))).toBeUndefined();
  });

  it('when a seat changes, then once the TTL has passed a read shows the new version', async () => {
    const eventId = await createEvent();
    const before = await seatsOf(eventId);
    expect(versionOf(before)).toBe(0);
    await holdOneSeat(eventId);
    const seen = await readUntil(eventId, (a) => versionOf(a) > 0);
    const fresh = seen.at(-1) as Answer;
    // Until then only the old map was served; the request that found it expired fetched the new one.
    for (const a of seen.slice(0, -1)) expect(versionOf(a)).toBe(0);
    expect(['EXPIRED', 'MISS']).toContain(cacheStatus(fresh));
    const map = JSON.parse(fresh.body);
    expect(map.seats.filter((s: { status: string }) => s.status === 'held')).toHaveLength(1);
    expect(fresh.headers.etag).toBe(`"${eventId}.${map.version}"`);
  });

  it('when the TTL passes and nothing changed, then the gateway revalidates with the ETag and the replica answers 304', async () => {
    const eventId = await createEvent();
    const first = await seatsOf(eventId);
    const seen = await readUntil(eventId, (a) => cacheStatus(a) !== 'HIT');
    const refreshed = seen.at(-1) as Answer;
    expect(cacheStatus(refreshed)).toBe('REVALIDATED');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toBe(first.body);
  });

  it('when an event does not exist, then its 404 is cached, and for no longer than the TTL', async () => {
    const missing = randomUUID();
    const first = await seatsOf(missing);
    expect(first.status).toBe(404);
    expect(cacheStatus(first)).toBe('MISS');
    const second = await seatsOf(missing);
    expect(second.status).toBe(404);
    expect(cacheStatus(second)).toBe('HIT');
    const seen = await readUntil(missing, (a) => cacheStatus(a) !== 'HIT');
    expect(['EXPIRED', 'MISS']).toContain(cacheStatus(seen.at(-1) as Answer));
  });

  it('when the seat stream is opened through the gateway, then it is not cached and each change arrives as it happens', async () => {
    const eventId = await createEvent();
    const stream = await openStream(`/api/v1/events/${eventId}/stream`);
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(stream.headers['x-cache-status']).toBeUndefined();
      await stream.until(/^event: ready$/m);
      // The stream stays open: the change can only arrive if nothing holds it back.
      await holdOneSeat(eventId);
      await stream.until(/^event: seats$/m);
      expect(stream.text()).toMatch(/"status":"held"/);
    } finally {
      stream.close();
    }
  });
});

interface OpenStream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text(): string;
  until(pattern: RegExp): Promise<void>;
  close(): void;
}

/** An SSE request through the gateway that stays open; its body is read as it comes. */
function openStream(path: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, state.gatewayUrl),
      { ca, headers: { accept: 'text/event-stream' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: () => body,
          until: (pattern) => pollUntil(() => pattern.test(body), `${pattern} on the stream`, 15_000),
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
