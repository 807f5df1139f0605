// Waiting rooms and sales that open at a set time (README, "Waiting room"), on
// two replicas sharing the real PostgreSQL and Redis. Every admission decision
// runs on the apps' injected clock, so rates and expiries are checked at exact
// moments, never against the wall clock.
import { createHmac, randomUUID } from 'node:crypto';
import { bearer, buildTestApp, createAdmin, createEvent, type TestUser } from '@tickets/testkit/app';
import { GOOD_CARD, orderHold, seatsOf } from '@tickets/testkit/purchase';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buyer, createBuyers } from './support/buyers.ts';

const API = '/api/v1';

/** The apps' clock: it moves only when a test moves it. */
let clockMs = Date.now();
const now = () => clockMs;
const at = (ms: number) => new Date(ms).toISOString();

let a: FastifyInstance;
let b: FastifyInstance;
let admin: TestUser;

beforeAll(async () => {
  [a, b] = await Promise.all([
    buildTestApp({ replicaId: 'wr-a' }, { now }),
    buildTestApp({ replicaId: 'wr-b' }, { now }),
  ]);
  admin = await createAdmin(a);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

const buyers = (count: number) => createBuyers(a.db, count, a.config.jwtSecret, 'queue');

interface QueueAnswer {
  state: 'waiting' | 'admitted' | 'expired';
  position?: number;
  estimatedWaitSeconds?: number;
  provisional?: boolean;
  admissionToken?: string;
  expiresAt?: string;
  expiredAt?: string;
}

async function queue(
  app: FastifyInstance,
  method: 'POST' | 'GET',
  user: { token: string },
  eventId: string,
): Promise<QueueAnswer> {
  const res = await app.inject({ method, url: `${API}/events/${eventId}/queue`, headers: bearer(user) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const join = (app: FastifyInstance, user: { token: string }, eventId: string) =>
  queue(app, 'POST', user, eventId);
const stateOf = (app: FastifyInstance, user: { token: string }, eventId: string) =>
  queue(app, 'GET', user, eventId);

/** An event with a waiting room opening at `salesStartAt` (epoch ms; null: open now). */
function roomEvent(admitPerMinute: number, salesStartAt: number | null, app = a) {
  return createEvent(app, admin, {
    salesStartAt: salesStartAt === null ? null : at(salesStartAt),
    waitingRoom: { enabled: true, admitPerMinute },
    layout: { sections: [{ name: 'Hall', rows: 5, seatsPerRow: 10, priceCents: 2000 }] },
  });
}

/** Users in the order the queue admits them (slot order), from the database. */
async function admissionOrder(eventId: string): Promise<string[]> {
  const rows = await a.db.queueEntry.findMany({ where: { eventId }, orderBy: { slot: 'asc' } });
  expect(rows.every((r) => r.slot !== null)).toBe(true);
  return rows.map((r) => r.userId);
}

/**
 * Where each of `users` stands now, asking both replicas in turn. The first asks
 * alone: at the opening it runs the draw, which a poll arriving meanwhile skips
 * (answering its provisional place, corrected at its next poll).
 */
async function statesOf(users: Buyer[], eventId: string, apps = [a, b]): Promise<QueueAnswer[]> {
  const first = await stateOf(apps[0] as FastifyInstance, users[0] as Buyer, eventId);
  const rest = await Promise.all(
    users.slice(1).map((u, i) => stateOf(apps[(i + 1) % apps.length] as FastifyInstance, u, eventId)),
  );
  return [first, ...rest];
}

async function admittedCount(users: Buyer[], eventId: string): Promise<number> {
  return (await statesOf(users, eventId)).filter((s) => s.state === 'admitted').length;
}

function hold(app: FastifyInstance, user: { token: string }, eventId: string, token?: string) {
  return app.inject({
    method: 'POST',
    url: `${API}/events/${eventId}/holds`,
    headers: { ...bearer(user), ...(token === undefined ? {} : { 'admission-token': token }) },
    payload: { quantity: 1 },
  });
}

function buyNow(app: FastifyInstance, user: { token: string }, eventId: string, token?: string) {
  return app.inject({
    method: 'POST',
    url: `${API}/events/${eventId}/orders`,
    headers: {
      ...bearer(user),
      'idempotency-key': randomUUID(),
      ...(token === undefined ? {} : { 'admission-token': token }),
    },
    payload: { quantity: 1, payment: GOOD_CARD },
  });
}

function expectRefused(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, code });
  return body;
}

async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the draw at the opening', () => {
  it('when 50 customers join before the opening, then they are admitted in a random order, not in the order they joined', async () => {
    clockMs = Date.now();
    const opening = clockMs + 60_000;
    const event = await roomEvent(60, opening);
    const joiners = await buyers(50);
    for (const [i, buyer] of joiners.entries()) {
      clockMs += 100; // one a tenth of a second, alternating replicas
      const answer = await join(i % 2 ? b : a, buyer, event.id);
      expect(answer).toMatchObject({ state: 'waiting', provisional: true });
      expect(answer.estimatedWaitSeconds).toBeGreaterThanOrEqual(Math.ceil((opening - clockMs) / 1000));
    }
    // Provisional places before the opening are a permutation too.
    const provisional = await Promise.all(joiners.map((u) => stateOf(a, u, event.id)));
    expect(provisional.map((s) => s.position).sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );

    clockMs = opening;
    // The first request after the opening draws; everyone's place is then fixed.
    const answers = await statesOf(joiners, event.id);
    const order = await admissionOrder(event.id);
    const joinOrder = joiners.map((u) => u.id);
    expect([...order].sort()).toEqual([...joinOrder].sort());
    expect(order).not.toEqual(joinOrder);
    // 50! orders are equally likely; the join order is not favoured either way.
    const firstHalfJoiners = new Set(joinOrder.slice(0, 25));
    const firstHalfAdmitted = order.slice(0, 25).filter((id) => firstHalfJoiners.has(id)).length;
    expect(firstHalfAdmitted).toBeGreaterThan(3);
    expect(firstHalfAdmitted).toBeLessThan(22);

    // At the opening the first is admitted; the others wait, positions 1..49 in slot order.
    const byUser = new Map(joiners.map((u, i) => [u.id, answers[i] as QueueAnswer]));
    expect(byUser.get(order[0] as string)?.state).toBe('admitted');
    for (const [slot, userId] of order.entries()) {
      if (slot === 0) continue;
      expect(byUser.get(userId)).toMatchObject({
        state: 'waiting',
        position: slot,
        estimatedWaitSeconds: slot,
        provisional: false,
      });
    }
    // Both replicas agree, on the place and on the token.
    const first = joiners.find((u) => u.id === order[0]) as Buyer;
    const [onA, onB] = [await stateOf(a, first, event.id), await stateOf(b, first, event.id)];
    expect(onA).toEqual(onB);
  });

  it('when joins from before the opening are still in flight as another replica draws, then every one of them is drawn or queued, none lost', async () => {
    clockMs = Date.now();
    const opening = clockMs + 1;
    // A replica whose clock is still before the opening keeps taking joins for the
    // draw while customers joining on b, past the opening, make b run it: each
    // early join lands before the draw (and is drawn) or after it (and queues in
    // line), whatever the interleaving.
    const behind = await buildTestApp({ replicaId: 'wr-behind' }, { now: () => opening - 1 });
    try {
      const event = await roomEvent(600, opening);
      const [early, late] = [await buyers(40), await buyers(5)];
      clockMs = opening;
      const joins = early.map((u) => join(behind, u, event.id));
      // The draw once some joins have landed, while the others are on their way.
      await until(async () => (await a.db.queueEntry.count({ where: { eventId: event.id } })) > 12, 'joins');
      await Promise.all([...joins, ...late.map((u) => join(b, u, event.id))]);
      await statesOf([...early, ...late], event.id, [b]);
      const entries = await a.db.queueEntry.findMany({
        where: { eventId: event.id },
        orderBy: { slot: 'asc' },
      });
      expect(entries).toHaveLength(45);
      expect(entries.map((e) => Number(e.slot))).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
      // The late ones are never drawn: they came after the opening.
      const lateIds = new Set(late.map((u) => u.id));
      expect(entries.filter((e) => lateIds.has(e.userId)).every((e) => e.drawKey === null)).toBe(true);
    } finally {
      await behind.close();
    }
  });

  it('when admission runs, then it holds admitPerMinute within 10 %, and those who join later queue in order of arrival', async () => {
    clockMs = Date.now();
    const opening = clockMs + 10_000;
    const event = await roomEvent(30, opening); // one every 2 s
    const early = await buyers(40);
    for (const [i, u] of early.entries()) await join(i % 2 ? b : a, u, event.id);

    const counts: [number, number][] = [];
    for (const seconds of [0, 1, 9, 20, 41, 60]) {
      clockMs = opening + seconds * 1000;
      counts.push([seconds, await admittedCount(early, event.id)]);
    }
    // Slot k (from 0) is due at the opening + 2k s.
    expect(counts).toEqual(counts.map(([s]) => [s, Math.min(40, Math.floor(s / 2) + 1)]));
    const [, from] = counts[0] as [number, number];
    const [, to] = counts[4] as [number, number];
    const perMinute = ((to - from) / 41) * 60;
    expect(Math.abs(perMinute - 30) / 30).toBeLessThanOrEqual(0.1);

    // Later arrivals, one at a time, are first come, first served behind the drawn ones.
    // The drawn ones were all due by the opening + 78 s: the line is empty again.
    clockMs = opening + 100_000;
    const late = await buyers(6);
    for (const u of late) {
      clockMs += 10;
      await join(u === late[0] ? a : b, u, event.id);
    }
    const order = await admissionOrder(event.id);
    expect(order.slice(40)).toEqual(late.map((u) => u.id));
    // The first of them is admitted at once, the next 2 s later, and so on.
    const entries = await a.db.queueEntry.findMany({
      where: { eventId: event.id },
      orderBy: { slot: 'asc' },
    });
    const times = entries.slice(40).map((e) => e.admitAt?.getTime() ?? 0);
    expect(times[0]).toBe(opening + 100_010);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBe(2000);
  });

  it('when 40 customers join at once after the opening, on both replicas, then slots are dense and admissions two seconds apart', async () => {
    clockMs = Date.now();
    const event = await roomEvent(30, null);
    const crowd = await buyers(40);
    await Promise.all(crowd.map((u, i) => join(i % 2 ? b : a, u, event.id)));
    const entries = await a.db.queueEntry.findMany({
      where: { eventId: event.id },
      orderBy: { slot: 'asc' },
    });
    expect(entries.map((e) => Number(e.slot))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(entries.map((e) => (e.admitAt?.getTime() ?? 0) - clockMs)).toEqual(
      Array.from({ length: 40 }, (_, i) => i * 2000),
    );
    clockMs += 30_000;
    expect(await admittedCount(crowd, event.id)).toBe(16);
  });
});

describe('joining', () => {
  it('when a customer joins again, at once or many times concurrently, then they keep one place', async () => {
    clockMs = Date.now();
    const [before, after] = [await roomEvent(10, clockMs + 60_000), await roomEvent(10, null)];
    const [customer, other] = await buyers(2);
    for (const event of [before, after]) {
      await join(a, other as Buyer, event.id);
      const first = await join(a, customer as Buyer, event.id);
      const again = await Promise.all(
        Array.from({ length: 6 }, (_, i) => join(i % 2 ? b : a, customer as Buyer, event.id)),
      );
      for (const answer of again) expect(answer).toEqual(first);
      expect(await a.db.queueEntry.count({ where: { eventId: event.id, userId: customer?.id } })).toBe(1);
    }
    // Joining again never re-draws a place before the opening.
    const [entry] = await a.db.queueEntry.findMany({ where: { eventId: before.id, userId: customer?.id } });
    await join(b, customer as Buyer, before.id);
    const [same] = await a.db.queueEntry.findMany({ where: { eventId: before.id, userId: customer?.id } });
    expect(same?.drawKey).toBe(entry?.drawKey);
  });

  it('when an admission has run out, then GET says expired and joining again queues anew, at the back', async () => {
    clockMs = Date.now();
    const event = await roomEvent(60, null);
    const [first, second] = await buyers(2);
    const admitted = await join(a, first as Buyer, event.id);
    expect(admitted.state).toBe('admitted');
    await join(a, second as Buyer, event.id);
    clockMs = Date.parse(admitted.expiresAt as string);
    expect(await stateOf(b, first as Buyer, event.id)).toEqual({
      state: 'expired',
      expiredAt: admitted.expiresAt,
    });
    const again = await join(b, first as Buyer, event.id);
    expect(again.state).toBe('admitted'); // the line is empty by now
    expect(again.admissionToken).not.toBe(admitted.admissionToken);
    expect(await admissionOrder(event.id)).toEqual([first?.id, second?.id, first?.id]);
  });

  it('when the event has no waiting room, or the customer never joined, then the queue answers 404', async () => {
    const plain = await createEvent(a, admin);
    const room = await roomEvent(10, null);
    const [customer] = await buyers(1);
    for (const method of ['POST', 'GET'] as const) {
      const res = await a.inject({
        method,
        url: `${API}/events/${plain.id}/queue`,
        headers: bearer(customer as Buyer),
      });
      expectRefused(res, 404, 'NOT_FOUND');
    }
    const res = await a.inject({
      method: 'GET',
      url: `${API}/events/${room.id}/queue`,
      headers: bearer(customer as Buyer),
    });
    expectRefused(res, 404, 'NOT_FOUND');
    const anonymous = await a.inject({ method: 'POST', url: `${API}/events/${room.id}/queue` });
    expectRefused(anonymous, 401, 'UNAUTHENTICATED');
  });
});

describe('admission tokens', () => {
  it('when holds and one-step orders come with the admitted customer’s token, then they go through; hold orders need none', async () => {
    clockMs = Date.now();
    const event = await roomEvent(600, null);
    const [customer] = (await buyers(1)) as [Buyer];
    const admitted = await join(a, customer, event.id);
    expect(admitted.state).toBe('admitted');
    expect(Date.parse(admitted.expiresAt as string)).toBe(clockMs + a.config.admissionTtlSeconds * 1000);
    const held = await hold(b, customer, event.id, admitted.admissionToken);
    expect(held.statusCode, held.body).toBe(201);
    const ordered = await orderHold(a, { ...customer, password: '' }, held.json().id);
    expect(ordered.statusCode, ordered.body).toBe(201);
    const bought = await buyNow(a, customer, event.id, admitted.admissionToken);
    expect(bought.statusCode, bought.body).toBe(201);
  });

  it('when the token is missing, forged, expired, someone else’s or another event’s, then 403 ADMISSION_REQUIRED and nothing changes', async () => {
    clockMs = Date.now();
    const [event, otherEvent] = [await roomEvent(600, null), await roomEvent(600, null)];
    const [customer, other] = (await buyers(2)) as [Buyer, Buyer];
    const own = (await join(a, customer, event.id)).admissionToken as string;
    await join(a, other, event.id);
    const otherEventsToken = (await join(a, customer, otherEvent.id)).admissionToken as string;
    clockMs += 1000; // the second in line is admitted 0.1 s after the first
    const othersToken = (await stateOf(b, other, event.id)).admissionToken as string;
    expect([own, othersToken, otherEventsToken].every(Boolean)).toBe(true);
    const [, expiresAt, signature] = own.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    const wrongKey = createHmac('sha256', a.config.jwtSecret)
      .update(`admission:v1:${event.id}:${customer.id}:${expiresAt}`)
      .digest('base64url');
    const cases: [string, string | undefined, string][] = [
      ['missing', undefined, 'missing'],
      ['empty', '', 'missing'],
      ['garbage', 'let me in', 'invalid'],
      ['a flipped signature', `v1.${expiresAt}.${flipped}`, 'invalid'],
      ['a later expiry', `v1.${Number(expiresAt) + 3_600_000}.${signature}`, 'invalid'],
      ['signed with the JWT secret itself', `v1.${expiresAt}.${wrongKey}`, 'invalid'],
      ["someone else's", othersToken, 'invalid'],
      ["another event's", otherEventsToken, 'invalid'],
    ];
    const seatsBefore = await seatsOf(a, event.id);
    for (const [what, token, reason] of cases) {
      for (const app of [a, b]) {
        const body = expectRefused(await hold(app, customer, event.id, token), 403, 'ADMISSION_REQUIRED');
        expect(body.reason, what).toBe(reason);
        expectRefused(await buyNow(app, customer, event.id, token), 403, 'ADMISSION_REQUIRED');
      }
    }
    // The own token still works; once the admission runs out it does not.
    clockMs = Number(expiresAt);
    const late = expectRefused(await hold(b, customer, event.id, own), 403, 'ADMISSION_REQUIRED');
    expect(late.reason).toBe('expired');
    expectRefused(await buyNow(a, customer, event.id, own), 403, 'ADMISSION_REQUIRED');
    expect((await seatsOf(a, event.id)).seats).toEqual(seatsBefore.seats);
    expect(await a.db.order.count({ where: { eventId: event.id } })).toBe(0);
  });

  it('when an event has no waiting room, then holds and orders need no token and ignore one', async () => {
    const event = await createEvent(a, admin);
    const [customer] = (await buyers(1)) as [Buyer];
    expect((await hold(a, customer, event.id)).statusCode).toBe(201);
    expect((await buyNow(b, customer, event.id)).statusCode).toBe(201);
    expect((await hold(b, customer, event.id, 'anything at all')).statusCode).toBe(201);
  });

  it('when a replica answers a refusal from its copy of the settings, then the check costs no statement', async () => {
    // An app of its own: nothing else runs on it while statements are counted.
    const quiet = await buildTestApp({ replicaId: 'wr-quiet' }, { now });
    try {
      const event = await roomEvent(10, null, quiet);
      const [customer] = (await buyers(1)) as [Buyer];
      await hold(quiet, customer, event.id); // the buyer's auth row is cached from here on
      const statements = async () => (await quiet.metrics.dbStatements.get()).values[0]?.value ?? 0;
      const before = await statements();
      expectRefused(await hold(quiet, customer, event.id), 403, 'ADMISSION_REQUIRED');
      expectRefused(await buyNow(quiet, customer, event.id), 403, 'ADMISSION_REQUIRED');
      expect(await statements()).toBe(before);
    } finally {
      await quiet.close();
    }
  });
});

describe('sales that open at a set time', () => {
  it('when holds and orders come before salesStartAt, then 409 SALES_NOT_OPEN; from then on they go through', async () => {
    clockMs = Date.now();
    const opening = clockMs + 5 * 60_000;
    const event = await createEvent(a, admin, { salesStartAt: at(opening) });
    const [customer] = (await buyers(1)) as [Buyer];
    for (const app of [a, b]) {
      const refused = expectRefused(await hold(app, customer, event.id), 409, 'SALES_NOT_OPEN');
      expect(refused.salesStartAt).toBe(at(opening));
      expectRefused(await buyNow(app, customer, event.id), 409, 'SALES_NOT_OPEN');
    }
    expect(await a.db.hold.count({ where: { eventId: event.id } })).toBe(0);
    clockMs = opening;
    expect((await hold(a, customer, event.id)).statusCode).toBe(201);
    expect((await buyNow(b, customer, event.id)).statusCode).toBe(201);
  });
});

describe('admin settings', () => {
  it('when an admin sets salesStartAt and a waiting room, then the admin and public event JSON show them, and a PATCH reaches the other replica', async () => {
    clockMs = Date.now();
    const created = await createEvent(a, admin);
    const url = `${API}/events/${created.id}`;
    expect((await b.inject({ method: 'GET', url })).json()).toMatchObject({
      salesStartAt: null,
      waitingRoom: null,
    });
    const [customer] = (await buyers(1)) as [Buyer];
    // Replica b reads the settings once and keeps them.
    expect((await hold(b, customer, created.id)).statusCode).toBe(201);

    const opening = at(clockMs + 3_600_000);
    const patched = await a.inject({
      method: 'PATCH',
      url: `${API}/admin/events/${created.id}`,
      headers: bearer(admin),
      payload: { salesStartAt: opening, waitingRoom: { enabled: true, admitPerMinute: 120 } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const shown = {
      salesStartAt: opening,
      waitingRoom: { enabled: true, admitPerMinute: 120 },
      status: 'on_sale',
    };
    expect(patched.json()).toMatchObject(shown);
    expect((await b.inject({ method: 'GET', url })).json()).toMatchObject(shown);
    const listed = await b.inject({ method: 'GET', url: `${API}/admin/events`, headers: bearer(admin) });
    expect(listed.json().items.find((e: { id: string }) => e.id === created.id)).toMatchObject(shown);
    // b hears of the change over pub/sub and refuses from then on.
    await until(async () => (await hold(b, customer, created.id)).statusCode === 409, 'b to see the change');

    const reopened = await a.inject({
      method: 'PATCH',
      url: `${API}/admin/events/${created.id}`,
      headers: bearer(admin),
      payload: { salesStartAt: null, waitingRoom: { enabled: false, admitPerMinute: 120 } },
    });
    expect(reopened.json()).toMatchObject({ salesStartAt: null, waitingRoom: { enabled: false } });
    await until(async () => (await hold(b, customer, created.id)).statusCode === 201, 'b to reopen');
    const log = await a.db.auditEntry.findMany({
      where: { subject: `event:${created.id}` },
      orderBy: { id: 'asc' },
    });
    expect(log.map((e) => e.action)).toEqual(['event.create', 'event.sales', 'event.sales']);
  });

  it('when the settings are not valid, then 400 VALIDATION_FAILED', async () => {
    const event = await createEvent(a, admin);
    for (const payload of [
      {},
      { waitingRoom: { enabled: true, admitPerMinute: 0 } },
      { waitingRoom: { enabled: true } },
      { waitingRoom: { enabled: 'yes', admitPerMinute: 5 } },
      { salesStartAt: 'tomorrow' },
      { salesStartAt: '0000-01-01T00:00:00Z' },
    ]) {
      const res = await a.inject({
        method: 'PATCH',
        url: `${API}/admin/events/${event.id}`,
        headers: bearer(admin),
        payload,
      });
      expectRefused(res, 400, 'VALIDATION_FAILED');
    }
  });
});

describe('a replica that dies mid-admission', () => {
  it('when one replica closes while the queue is being admitted, then the other keeps admitting on schedule', async () => {
    clockMs = Date.now();
    const opening = clockMs + 5_000;
    const dying = await buildTestApp({ replicaId: 'wr-dying' }, { now });
    const event = await roomEvent(60, opening, dying);
    const crowd = await buyers(20);
    for (const [i, u] of crowd.entries()) await join(i % 2 ? b : dying, u, event.id);
    clockMs = opening + 4_000;
    // The draw and the first admissions happen on the replica that is about to die.
    const early = await statesOf(crowd, event.id, [dying]);
    expect(early.filter((s) => s.state === 'admitted')).toHaveLength(5);
    await dying.close();

    for (const seconds of [9, 14, 19]) {
      clockMs = opening + seconds * 1000;
      const answers = await statesOf(crowd, event.id, [b]);
      expect(answers.filter((s) => s.state === 'admitted')).toHaveLength(seconds + 1);
    }
    // A customer who joined through the dead replica buys through the living one.
    const viaDead = crowd.filter((_, i) => i % 2 === 0);
    const answer = await stateOf(b, viaDead[0] as Buyer, event.id);
    expect(answer.state).toBe('admitted');
    expect((await hold(b, viaDead[0] as Buyer, event.id, answer.admissionToken)).statusCode).toBe(201);
  });
});
