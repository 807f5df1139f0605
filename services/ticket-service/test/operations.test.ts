import { freePort } from '@tickets/infra/free-port';
import { bearer, buildTestApp, createAdmin, eventBody } from '@tickets/testkit/app';
import { testServices } from '@tickets/testkit/services';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../src/plugins/external/prisma.ts';
import { startReplica, waitFor } from './support/processes.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('operations endpoints', () => {
  it('when dependencies are up, then healthz and readyz answer 200 with the replica id', async () => {
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', replica: 'test-replica' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ database: true, redis: { reachable: 3, needed: 2 } });
  });

  it('when two of three Redis nodes are unreachable, then readyz answers 503; with one down it stays ready', async () => {
    const [live, second] = testServices().redisUrls;
    const dead = async () => `redis://127.0.0.1:${await freePort()}`;
    const degraded = await buildTestApp({ redisUrls: [live as string, second as string, await dead()] });
    const broken = await buildTestApp({ redisUrls: [live as string, await dead(), await dead()] });
    try {
      const ok = await degraded.inject({ method: 'GET', url: '/readyz' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json().redis).toEqual({ reachable: 2, needed: 2 });
      const notReady = await broken.inject({ method: 'GET', url: '/readyz' });
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json()).toMatchObject({ status: 'not ready', database: true, redis: { reachable: 1 } });
    } finally {
      await Promise.all([degraded.close(), broken.close()]);
    }
  });

  it('when the database is unreachable, then readyz answers 503 and API reads answer 503 UNAVAILABLE', async () => {
    const deadDb = buildTestApp({
      databaseUrl: `postgresql://postgres@127.0.0.1:${await freePort()}/tickets`,
    });
    const server = await deadDb;
    try {
      const ready = await server.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().database).toBe(false);
      const events = await server.inject({ method: 'GET', url: '/api/v1/events' });
      expect(events.statusCode).toBe(503);
      expect(events.json().code).toBe('UNAVAILABLE');
      expect(events.body).not.toMatch(/ECONNREFUSED|at .*\.ts/);
    } finally {
      await server.close();
    }
  });

  it('when requests were served, then /metrics exposes process metrics and durations by route and status', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/events' });
    await app.inject({ method: 'GET', url: '/api/v1/me' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toMatch(/tickets_db_pool_connections\{state="busy"\} \d+/);
    expect(res.body).toContain('tickets_db_pool_max_connections 5');
    expect(res.body).toMatch(/tickets_db_pool_waiting_requests \d+/);
    expect(res.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/events",status_code="200"\} \d+/,
    );
    expect(res.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/me",status_code="401"\} \d+/,
    );
  });

  it('when any response is sent, even an error, then it carries x-replica-id and echoes x-request-id', async () => {
    for (const url of ['/healthz', '/api/v1/nope', '/api/v1/me']) {
      const res = await app.inject({ method: 'GET', url, headers: { 'x-request-id': 'edge-123' } });
      expect(res.headers['x-replica-id'], url).toBe('test-replica');
      expect(res.headers['x-request-id'], url).toBe('edge-123');
    }
  });
});

describe('graceful shutdown', () => {
  it('when SIGTERM arrives during a request, then the request completes, the process exits 0 and stops listening', async () => {
    const { databaseUrl, redisUrls } = testServices();
    const admin = await createAdmin(app);
    const replica = await startReplica('drain', {
      DATABASE_URL: databaseUrl,
      REDIS_URLS: redisUrls.join(','),
      JWT_SECRET: 'test-secret-that-is-long-enough',
    });
    const db = createPrisma(databaseUrl, 1);
    try {
      const title = `drain-${Date.now()}`;
      // 100,000 seats: long enough to be caught in flight.
      const body = eventBody({
        title,
        layout: {
          sections: Array.from({ length: 5 }, (_, i) => ({
            name: `S${i}`,
            rows: 100,
            seatsPerRow: 200,
            priceCents: 100,
          })),
        },
      });
      const pending = fetch(`${replica.url}/api/v1/admin/events`, {
        method: 'POST',
        headers: { ...bearer(admin), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await waitFor('seat insert in flight', async () => {
        const rows = await db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO seats%'`;
        return (rows[0]?.n ?? 0) > 0;
      });
      replica.child.kill('SIGTERM');
      const res = await pending;
      expect(res.status).toBe(201);
      expect(((await res.json()) as { seatCount: number }).seatCount).toBe(100_000);
      expect(await replica.exited, replica.output()).toBe(0);
      await expect(fetch(`${replica.url}/healthz`)).rejects.toThrow();
      expect(await db.seat.count({ where: { event: { title } } })).toBe(100_000);
    } finally {
      await replica.stop('SIGKILL');
      await db.$disconnect();
    }
  });
});
