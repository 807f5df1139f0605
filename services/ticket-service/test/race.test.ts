// The product's promise under contention: 300 buyers race for 60 seats through
// two replica processes sharing the database and Redis. Checked by the same
// invariant checker the load tests use.
import { randomUUID } from 'node:crypto';
import { type Attempt, checkInvariants } from '@tickets/loadtests/checker';
import { eventBody } from '@tickets/testkit/app';
import { testServices } from '@tickets/testkit/services';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../src/plugins/external/prisma.ts';
import { createBuyers } from './support/buyers.ts';
import { purchase } from './support/http.ts';
import { type Replica, startReplica } from './support/processes.ts';

const JWT_SECRET = 'race-test-secret-0123456789';
const { databaseUrl, redisUrls } = testServices();
const db = createPrisma(databaseUrl, 4);
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
let replicas: Replica[] = [];

beforeAll(async () => {
  const env = { DATABASE_URL: databaseUrl, REDIS_URLS: redisUrls.join(','), JWT_SECRET, DB_POOL_SIZE: '8' };
  replicas = await Promise.all(['race-1', 'race-2'].map((id) => startReplica(id, env)));
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await db.$disconnect();
  await pool.end();
});

async function createEventOn(url: string, adminToken: string) {
  const res = await fetch(`${url}/api/v1/admin/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(
      eventBody({
        // Few buyers race for every seat: not limited per customer here (buyer-limits/).
        maxTicketsPerCustomer: 100,
        layout: {
          sections: [
            { name: 'Front', rows: 3, seatsPerRow: 10, priceCents: 5000 },
            { name: 'Back', rows: 3, seatsPerRow: 10, priceCents: 3000 },
          ],
        },
      }),
    ),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string };
}

describe('race for the last seats', () => {
  it('when 300 buyers race for 60 seats on two replicas, then exactly 60 are sold, none twice, and I1–I5 hold', async () => {
    const r1 = replicas[0] as Replica;
    const admin = await createBuyers(db, 1, JWT_SECRET, 'race-admin');
    await db.user.update({ where: { id: admin[0]?.id }, data: { role: 'admin' } });
    const adminToken = admin[0]?.token as string;
    const event = await createEventOn(r1.url, adminToken);
    const seatIds = (await db.seat.findMany({ where: { eventId: event.id }, select: { id: true } })).map(
      (s) => s.id,
    );
    const hot = seatIds.slice(0, 20);
    const buyers = await createBuyers(db, 300, JWT_SECRET, 'racer');

    const pick = (from: string[], n: number) => [...from].sort(() => Math.random() - 0.5).slice(0, n);
    const requests = buyers.map((b, i) => {
      const card = i % 10 === 7 ? '4000000000000002' : '4242424242424242';
      const selection =
        i % 3 === 0
          ? { seatIds: pick(hot, 2) }
          : i % 3 === 1
            ? { quantity: 1 + (i % 3) }
            : { seatIds: pick(seatIds, 1) };
      return {
        baseUrl: replicas[i % replicas.length]?.url as string,
        token: b.token,
        userId: b.id,
        eventId: event.id,
        key: randomUUID(),
        body: { ...selection, payment: { method: 'test', card } },
      };
    });

    // Declined cards while seats remain: each must leave nothing behind.
    const declined = await Promise.all(
      buyers.slice(0, 5).map((b) =>
        purchase({
          baseUrl: r1.url,
          token: b.token,
          userId: b.id,
          eventId: event.id,
          key: randomUUID(),
          body: { quantity: 2, payment: { method: 'test', card: '4000000000000002' } },
        }),
      ),
    );
    expect(declined.map((a) => a.code)).toEqual(Array(5).fill('PAYMENT_DECLINED'));
    const history: (Attempt & { replica?: string })[] = [
      ...declined,
      ...(await Promise.all(requests.map((r) => purchase(r)))),
    ];
    // Indeterminate answers are retried with their key until they are definite.
    for (let round = 0; round < 5; round++) {
      const open = requests.filter((r) => {
        const mine = history.filter((a) => a.key === r.key);
        return mine.every((a) => a.outcome === 'info');
      });
      if (open.length === 0) break;
      history.push(...(await Promise.all(open.map((r) => purchase(r)))));
    }
    // Whatever single seats remain go to one last buyer, one at a time.
    const mop = buyers[0] as (typeof buyers)[0];
    for (let i = 0; i < 60; i++) {
      const attempt = await purchase({
        baseUrl: r1.url,
        token: mop.token,
        userId: mop.id,
        eventId: event.id,
        key: randomUUID(),
        body: { quantity: 1, payment: { method: 'test', card: '4242424242424242' } },
      });
      history.push(attempt);
      if (attempt.outcome === 'fail' && attempt.code === 'SOLD_OUT') break;
    }

    const seatMaps = await Promise.all(
      replicas.map(async (r) => {
        const res = await fetch(`${r.url}/api/v1/events/${event.id}/seats`);
        return { eventId: event.id, ...((await res.json()) as { seats: { id: string; status: string }[] }) };
      }),
    );
    const report = await checkInvariants(pool, { eventIds: [event.id], history, seatMaps });
    expect(report.violations).toEqual([]);
    expect(report.valid).toBe(true);
    expect(report.indeterminate === 0 || history.some((a) => a.outcome === 'ok')).toBe(true);

    const tickets = await db.ticket.count({ where: { eventId: event.id } });
    expect(tickets).toBe(60);
    expect(seatMaps.every((m) => m.seats.every((s) => s.status === 'sold'))).toBe(true);
    // Every acknowledged order is stored, and nothing else is.
    const okOrders = new Set(history.filter((a) => a.outcome === 'ok').map((a) => a.orderId));
    const stored = await db.order.findMany({ where: { eventId: event.id }, select: { id: true } });
    expect(new Set(stored.map((o) => o.id))).toEqual(okOrders);
    // Failures (409, 402) left nothing behind: no hold is still active.
    expect(await db.hold.count({ where: { eventId: event.id, status: 'active' } })).toBe(0);
    expect(history.some((a) => a.code === 'PAYMENT_DECLINED')).toBe(true);
    expect(history.some((a) => a.code === 'SEAT_UNAVAILABLE')).toBe(true);

    const sales = await fetch(`${r1.url}/api/v1/admin/events`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const mine = (
      (await sales.json()) as { items: { id: string; sales: Record<string, number> }[] }
    ).items.find((e) => e.id === event.id);
    const revenue = await db.ticket.aggregate({ where: { eventId: event.id }, _sum: { priceCents: true } });
    expect(mine?.sales).toEqual({
      soldCount: 60,
      heldCount: 0,
      availableCount: 0,
      orderCount: stored.length,
      revenueCents: revenue._sum.priceCents,
    });
    // Both replicas answered purchases (which one sells the seats is up to the race).
    expect(new Set(history.map((a) => (a as { replica?: string }).replica))).toEqual(
      new Set(['race-1', 'race-2']),
    );
    const codes = new Map<string, number>();
    for (const a of history)
      codes.set(`${a.outcome}:${a.code ?? ''}`, (codes.get(`${a.outcome}:${a.code ?? ''}`) ?? 0) + 1);
    console.log(`race: ${report.attempted} keys, answers ${JSON.stringify(Object.fromEntries(codes))}`);
  }, 120_000);
});
