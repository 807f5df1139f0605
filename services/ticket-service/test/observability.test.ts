// What ops watch of the purchase path: metrics, the operation log, and the
// seat stream's protection against clients that do not read.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, hold, orderHold } from '@tickets/testkit/purchase';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsEventStream } from '../src/lib/accepts-event-stream.ts';
import { waitFor } from './support/processes.ts';

let app: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  app = await buildTestApp();
  admin = await createAdmin(app);
});
afterAll(async () => {
  await app?.close();
});

async function metric(name: string): Promise<number> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  const line = res.body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

describe('purchase observability', () => {
  // (Expiries are counted in holds.test.ts, by the one app of the run that sweeps.)
  it('when holds, orders and replays happen, then the metrics count them', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const before = {
      sold: await metric('tickets_seats_sold_total'),
      replays: await metric('tickets_idempotent_replays_total'),
      created: await metric('tickets_holds_created_total'),
    };
    const key = randomUUID();
    expect((await buyNow(app, buyer, event.id, { quantity: 3 }, key)).statusCode).toBe(201);
    expect((await buyNow(app, buyer, event.id, { quantity: 3 }, key)).statusCode).toBe(200);
    expect((await hold(app, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);

    expect(await metric('tickets_seats_sold_total')).toBe(before.sold + 3);
    expect(await metric('tickets_idempotent_replays_total')).toBe(before.replays + 1);
    expect(await metric('tickets_holds_created_total')).toBe(before.created + 1);
    expect(await metric('tickets_orders_total{outcome="confirmed"}')).toBeGreaterThanOrEqual(1);
    expect(await metric('tickets_purchase_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await metric('tickets_lock_acquire_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await metric('tickets_holds_active')).toBeGreaterThanOrEqual(0);
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const name of [
      'tickets_lock_failures_total',
      'tickets_fenced_rejections_total',
      'tickets_sse_subscribers',
      'tickets_holds_expired_total',
    ]) {
      expect(body).toContain(`# TYPE ${name}`);
    }
  });

  it('when a buyer holds, releases, holds again and buys, then the log tells each step', async () => {
    const event = await createEvent(app, admin);
    const buyer = await signup(app);
    const first = (await hold(app, buyer, event.id, { quantity: 1 })).json();
    await app.inject({ method: 'DELETE', url: `/api/v1/holds/${first.id}`, headers: bearer(buyer) });
    const second = (await hold(app, buyer, event.id, { quantity: 1 })).json();
    const order = (await orderHold(app, buyer, second.id)).json();
    const log = await app.db.auditEntry.findMany({
      where: { subject: { in: [`hold:${first.id}`, `hold:${second.id}`, `order:${order.id}`] } },
      orderBy: { id: 'asc' },
    });
    expect(log.map((e) => [e.action, e.actor, e.replica])).toEqual([
      ['hold.create', buyer.email, 'test-replica'],
      ['hold.release', buyer.email, 'test-replica'],
      ['hold.create', buyer.email, 'test-replica'],
      ['order.create', buyer.email, 'test-replica'],
    ]);
    expect(log[3]?.detail).toMatchObject({
      eventId: event.id,
      holdId: second.id,
      totalCents: order.totalCents,
    });
  });
});

describe('seat stream', () => {
  it('when a client never reads, then its stream is closed instead of buffering without bound', async () => {
    const event = await createEvent(app, admin);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const socket = connect(Number(port), '127.0.0.1');
    let closed = false;
    socket.on('close', () => {
      closed = true;
    });
    socket.on('error', () => {});
    socket.write(
      `GET /api/v1/events/${event.id}/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n`,
    );
    try {
      await waitFor('subscriber', async () => (await metric('tickets_sse_subscribers')) === 1);
      socket.pause(); // from now on the client reads nothing
      const changes = Array.from({ length: 200 }, () => ({ id: randomUUID(), status: 'sold' }));
      let version = 1_000_000;
      await waitFor(
        'slow client dropped',
        async () => {
          for (let i = 0; i < 200; i++)
            app.seatFeed.publish({ eventId: event.id, version: version++, changes });
          return (await metric('tickets_sse_subscribers')) === 0;
        },
        30_000,
      );
      socket.resume();
      await waitFor('socket closed', async () => closed);
    } finally {
      socket.destroy();
    }
  });

  it('when the Accept header is parsed, then only ranges admitting event streams count', () => {
    expect(acceptsEventStream(undefined)).toBe(true);
    expect(acceptsEventStream('text/event-stream')).toBe(true);
    expect(acceptsEventStream('*/*')).toBe(true);
    expect(acceptsEventStream('application/json, text/*;q=0.5')).toBe(true);
    expect(acceptsEventStream('application/json')).toBe(false);
    expect(acceptsEventStream('text/event-stream;q=0')).toBe(false);
  });
});
