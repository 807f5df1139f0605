// Webhook deliveries are written in the transaction of the change (outbox), survive the
// death of the replica that wrote them (and of one that claimed them: the lease runs out),
// and arrive at least once with one delivery id per change, signed.
import { randomUUID } from 'node:crypto';
import { bearer, createEvent, signup } from '@tickets/testkit/app';
import { buyNow, hold, orderHold } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../../src/domain/webhooks/signature.ts';
import {
  admin,
  adminOn,
  apps,
  closed,
  endpoints,
  failTheNextRequest,
  loopbackApp,
  received,
  receiverUrl,
  until,
  useWebhookReceiver,
} from './support.ts';

useWebhookReceiver();

// The admin who registers the endpoints; on a replica of its own, which sends nothing.
beforeAll(async () => adminOn(await loopbackApp('hook-admin')));

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
    failTheNextRequest();
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
