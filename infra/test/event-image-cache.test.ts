// Event images through the gateway on the real local cluster (nginx with TLS, two
// replicas, PostgreSQL, Redis): an upload up to the service's limit passes nginx,
// a versioned image URL is served from the gateway's cache after its first read,
// and an unversioned one (no-cache) is never stored.
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:https';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../cluster/state.ts';
import { type GatewayCluster, startGatewayCluster } from './support/gateway-cluster.ts';

const IMAGE_ROUTE = '/api/v1/events/:eventId/image';

let gateway: GatewayCluster;
let state: ClusterState;
let ca: string;
let client: GatewayCluster['client'];
let adminToken: string;

beforeAll(async () => {
  gateway = await startGatewayCluster(2);
  ({ state, ca, client, adminToken } = gateway);
}, 240_000);

afterAll(async () => {
  await gateway?.stop();
}, 120_000);

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One request with a raw body (the JSON client cannot send bytes). */
function raw(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, state.gatewayUrl),
      { method, headers, agent: new Agent({ ca }) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const upload = (eventId: string, image: Buffer) =>
  raw(
    'PUT',
    `/api/v1/admin/events/${eventId}/image`,
    {
      authorization: `Bearer ${adminToken}`,
      'content-type': 'image/png',
    },
    image,
  );

async function createEvent(): Promise<string> {
  const res = await client.call('POST', '/api/v1/admin/events', {
    headers: { authorization: `Bearer ${adminToken}` },
    body: {
      title: `Image cache ${randomUUID().slice(0, 8)}`,
      venue: 'Hall',
      startsAt: new Date(Date.now() + 86400_000).toISOString(),
      currency: 'EUR',
      layout: { sections: [{ name: 'A', rows: 1, seatsPerRow: 5, priceCents: 1000 }] },
    },
  });
  expect(res.status, res.body).toBe(201);
  return JSON.parse(res.body).id;
}

/** Image requests the replicas have answered, from their own /metrics. */
async function imageRequestsServed(): Promise<number> {
  let total = 0;
  for (const replica of state.replicas) {
    const text = await (await fetch(`http://127.0.0.1:${replica.port}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (
        line.startsWith('http_request_duration_seconds_count{') &&
        line.includes(`route="${IMAGE_ROUTE}"`)
      ) {
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
  }
  return total;
}

describe('event images at the gateway', () => {
  it('when an image is uploaded through the gateway, then its versioned URL is read from a replica once and then from the cache', async () => {
    const eventId = await createEvent();
    // Well past the gateway's general 256 KiB body limit, within the service's 2 MiB.
    const noisy = await sharp(randomBytes(500 * 500 * 3), { raw: { width: 500, height: 500, channels: 3 } })
      .png()
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(256 * 1024);
    const put = await upload(eventId, noisy);
    expect(put.status, put.body.toString()).toBe(200);
    const { imageUrl } = JSON.parse(put.body.toString());

    const before = await imageRequestsServed();
    const first = await raw('GET', imageUrl, {});
    expect(first.status).toBe(200);
    expect(first.headers['x-cache-status']).toBe('MISS');
    expect(first.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const second = await raw('GET', imageUrl, {});
    expect(second.status).toBe(200);
    expect(second.headers['x-cache-status']).toBe('HIT');
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.body.equals(first.body)).toBe(true);
    expect(await imageRequestsServed()).toBe(before + 1);

    // The unversioned URL is revalidated on every use: never stored.
    const bare = `/api/v1/events/${eventId}/image`;
    expect((await raw('GET', bare, {})).headers['x-cache-status']).toBe('MISS');
    expect((await raw('GET', bare, {})).headers['x-cache-status']).toBe('MISS');
  });

  it('when an upload is over 2 MiB, then the gateway refuses it with 413 problem+json before any replica reads it', async () => {
    const eventId = await createEvent();
    const res = await upload(
      eventId,
      Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(2.5 * 1024 * 1024)]),
    );
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(JSON.parse(res.body.toString()).code).toBe('PAYLOAD_TOO_LARGE');
  });
});
