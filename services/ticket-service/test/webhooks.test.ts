// Webhooks (issue #13 item 6): deliveries are written in the transaction of the
// change (outbox), survive the death of the replica that wrote them (and of one
// that claimed them: the lease runs out), arrive at least once with one delivery
// id per change, signed; private targets are refused at registration and at send
// time. The receiver is a real HTTP server on loopback.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, hold, orderHold } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.ts';
import { verify } from '../src/domain/webhooks/signature.ts';
import { refusalOf } from '../src/domain/webhooks/targets.ts';

interface Received {
  id: string;
  type: string;
  signature: string;
  body: string;
  data: Record<string, unknown>;
}

let server: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Answer 500 to the first request of these delivery ids (then 200). */
const failOnce = new Set<string>();
let failNextRequest = false;

const apps: FastifyInstance[] = [];
let admin: TestUser;
const endpoints: string[] = [];

const loopbackApp = (replicaId: string, extra: Partial<Config> = {}) =>
  buildTestApp({ replicaId, webhookAllowPrivateTargets: ['loopback'], ...extra }).then((app) => {
    apps.push(app);
    return app;
  });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const id = String(req.headers['x-tickets-delivery']);
      if (failNextRequest || failOnce.has(id)) {
        failNextRequest = false;
        failOnce.delete(id);
        res.writeHead(500).end();
        return;
      }
      const parsed = JSON.parse(body);
      received.push({
        id,
        type: String(req.headers['x-tickets-event']),
        signature: String(req.headers['x-tickets-signature']),
        body,
        data: parsed.data,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});

afterAll(async () => {
  const app = apps.find((a) => !closed.has(a));
  if (app) {
    for (const id of endpoints) {
      await app.inject({ method: 'DELETE', url: `/api/v1/admin/webhooks/${id}`, headers: bearer(admin) });
    }
  }
  for (const app of apps) if (!closed.has(app)) await app.close();
  await new Promise((r) => server.close(r));
});
const closed = new Set<FastifyInstance>();

async function until(check: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('webhook targets', () => {
  it('classifies addresses', () => {
    expect(refusalOf('127.0.0.1', [])).toBe('loopback');
    expect(refusalOf('::1', [])).toBe('loopback');
    expect(refusalOf('::ffff:10.1.2.3', [])).toBe('private');
    expect(refusalOf('192.168.1.1', [])).toBe('private');
    expect(refusalOf('169.254.169.254', ['loopback', 'private'])).toBe('link-local');
    expect(refusalOf('fe80::1', [])).toBe('link-local');
    expect(refusalOf('0.0.0.0', ['loopback'])).toBe('reserved');
    expect(refusalOf('93.184.216.34', [])).toBeUndefined();
    expect(refusalOf('127.0.0.1', ['loopback'])).toBeUndefined();
    expect(refusalOf('10.0.0.1', ['all'])).toBeUndefined();
  });

  it('refuses private targets at registration, and at send time', async () => {
    const strict = await buildTestApp({ replicaId: 'hook-strict' });
    apps.push(strict);
    admin = await createAdmin(strict);
    const register = (app: FastifyInstance, url: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/admin/webhooks',
        headers: bearer(admin),
        payload: { url, events: ['order.cancelled'] },
      });
    for (const url of [
      receiverUrl,
      'http://localhost:9/x',
      'http://10.0.0.1/',
      'http://[fe80::1]/',
      'ftp://x.test/',
    ]) {
      const res = await register(strict, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    // Loopback allowed by configuration (as in these tests), private still refused.
    const lenient = await loopbackApp('hook-lenient');
    expect((await register(lenient, 'http://192.168.0.10/')).statusCode).toBe(400);

    // An endpoint whose name resolves to loopback, registered where that was
    // allowed, is refused by a replica that does not allow it: checked at send.
    const created = await register(lenient, receiverUrl.replace('127.0.0.1', 'localhost'));
    expect(created.statusCode).toBe(201);
    const hookId = created.json().id as string;
    await strict.db.$queryRawUnsafe(
      `INSERT INTO webhook_deliveries (endpoint_id, event_type, payload) VALUES ($1::uuid, 'order.cancelled', '{"probe":true}')`,
      hookId,
    );
    await strict.webhooks.sendNow();
    const res = await strict.inject({
      method: 'GET',
      url: `/api/v1/admin/webhooks/${hookId}/deliveries`,
      headers: bearer(admin),
    });
    const [delivery] = res.json().items;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    expect(delivery.attemptLog[0].error).toMatch(/refused address/);
    expect(received).toHaveLength(0);
    expect(
      (
        await lenient.inject({
          method: 'DELETE',
          url: `/api/v1/admin/webhooks/${hookId}`,
          headers: bearer(admin),
        })
      ).statusCode,
    ).toBe(204);
    await strict.close();
    closed.add(strict);
  });
});

describe('webhook deliveries', () => {
  it('survive the replica that wrote them and one that claimed them; once per change, signed', async () => {
    // Replica A writes the changes and never sends (its sender runs hourly).
    const a = await loopbackApp('hook-a');
    const created = await a.inject({
      method: 'POST',
      url: '/api/v1/admin/webhooks',
      headers: bearer(admin),
      payload: { url: receiverUrl, events: ['order.confirmed', 'order.cancelled', 'event.sold_out'] },
    });
    expect(created.statusCode).toBe(201);
    const hook = created.json();
    endpoints.push(hook.id);
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = await a.inject({ method: 'GET', url: '/api/v1/admin/webhooks', headers: bearer(admin) });
    expect(listed.json().items.find((h: { id: string }) => h.id === hook.id)).not.toHaveProperty('secret');

    const event = await createEvent(a, admin, {
      layout: { sections: [{ name: 'Floor', rows: 1, seatsPerRow: 3, priceCents: 1000 }] },
    });
    const buyer = await signup(a, 'hooked');
    const first = await buyNow(a, buyer, event.id, { quantity: 2 });
    expect(first.statusCode).toBe(201);
    const held = await hold(a, buyer, event.id, { quantity: 1 });
    expect(held.statusCode).toBe(201);
    const second = await orderHold(a, buyer, held.json().id);
    expect(second.statusCode).toBe(201);
    const cancelled = await a.inject({
      method: 'POST',
      url: `/api/v1/admin/orders/${first.json().id}/cancel`,
      headers: bearer(admin),
    });
    expect(cancelled.statusCode).toBe(200);

    const ours = `payload->>'eventId' = '${event.id}' AND endpoint_id = '${hook.id}'`;
    const written = await a.db.$queryRawUnsafe<{ event_type: string; order_id: string | null }[]>(
      `SELECT event_type, payload->>'orderId' AS order_id FROM webhook_deliveries WHERE ${ours} ORDER BY event_type`,
    );
    const changes = [
      `event.sold_out:null`,
      `order.cancelled:${first.json().id}`,
      `order.confirmed:${first.json().id}`,
      `order.confirmed:${second.json().id}`,
    ].sort();
    expect(written.map((w) => `${w.event_type}:${w.order_id}`).sort()).toEqual(changes);

    // A replica claimed half of them and died before sending (its lease: 1 s);
    // then A goes too.
    await a.db.$executeRawUnsafe(
      `UPDATE webhook_deliveries SET next_attempt_at = now() + interval '1 second', attempts = attempts + 1
        WHERE ${ours} AND event_type = 'order.confirmed'`,
    );
    await a.close();
    closed.add(a);

    // Two replicas send; the receiver fails one delivery's first attempt.
    failNextRequest = true;
    const b = await loopbackApp('hook-b', { webhookSendIntervalMs: 50, webhookRetryBaseMs: 200 });
    const c = await loopbackApp('hook-c', { webhookSendIntervalMs: 50, webhookRetryBaseMs: 200 });
    const mine = () => received.filter((r) => r.data.eventId === event.id);
    const unique = () => new Map(mine().map((r) => [r.id, r]));
    await until(() => unique().size >= 4);
    await new Promise((r) => setTimeout(r, 500));

    // One delivery id per change, each change once after dedup.
    const byChange = [...unique().values()].map((r) => `${r.type}:${r.data.orderId ?? null}`).sort();
    expect(byChange).toEqual(changes);
    for (const r of mine()) {
      expect(verify(hook.secret, r.body, r.signature), r.id).toBe(true);
      expect(verify('whsec_wrong', r.body, r.signature)).toBe(false);
      expect(JSON.parse(r.body)).toMatchObject({ id: r.id, type: r.type });
    }

    // Visible with their attempts.
    const res = await b.inject({
      method: 'GET',
      url: `/api/v1/admin/webhooks/${hook.id}/deliveries?limit=200`,
      headers: bearer(admin),
    });
    const deliveries = res
      .json()
      .items.filter((d: { payload: { eventId: string } }) => d.payload.eventId === event.id);
    expect(deliveries).toHaveLength(4);
    expect(deliveries.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
    const confirmed = deliveries.filter((d: { eventType: string }) => d.eventType === 'order.confirmed');
    // The dead replica's claim counts as an attempt that never reported.
    expect(confirmed.every((d: { attempts: number }) => d.attempts >= 2)).toBe(true);
    const retried = deliveries.filter((d: { attemptLog: { status: number | null }[] }) =>
      d.attemptLog.some((x) => x.status === 500),
    );
    expect(retried.length).toBeLessThanOrEqual(1);
    await c.close();
    closed.add(c);
  });

  it('an endpoint is listed and deleted by admins only', async () => {
    const app = apps.find((x) => !closed.has(x)) as FastifyInstance;
    const customer = await signup(app, 'not-admin');
    const res = await app.inject({ method: 'GET', url: '/api/v1/admin/webhooks', headers: bearer(customer) });
    expect(res.statusCode).toBe(403);
    const gone = await app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/webhooks/${randomUUID()}`,
      headers: bearer(admin),
    });
    expect(gone.statusCode).toBe(404);
  });
});
