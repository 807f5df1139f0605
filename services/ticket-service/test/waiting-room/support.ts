// Two replicas sharing the real PostgreSQL and Redis, on one injected clock that moves
// only when a test moves it, so rates and expiries are checked at exact moments, never
// against the wall clock; and the queue, hold and purchase requests of the waiting room.
import { randomUUID } from 'node:crypto';
import { bearer, buildTestApp, createAdmin, createEvent, type TestUser } from '@tickets/testkit/app';
import { GOOD_CARD } from '@tickets/testkit/purchase';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { type Buyer, createBuyers } from '../support/buyers.ts';

export const API = '/api/v1';

/** The apps' clock: it moves only when a test moves it (clock.ms). */
export const clock = { ms: Date.now() };
export const now = () => clock.ms;
export const at = (ms: number) => new Date(ms).toISOString();

// Set by useTwoReplicas before the file's tests run; importers see the current values
// through the live bindings.
export let a: FastifyInstance;
export let b: FastifyInstance;
export let admin: TestUser;

export function useTwoReplicas(): void {
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
}

export const buyers = (count: number) => createBuyers(a.db, count, a.config.jwtSecret, 'queue');

export interface QueueAnswer {
  state: 'waiting' | 'admitted' | 'expired';
  position?: number;
  estimatedWaitSeconds?: number;
  provisional?: boolean;
  admissionToken?: string;
  expiresAt?: string;
  expiredAt?: string;
}

export async function queue(
  app: FastifyInstance,
  method: 'POST' | 'GET',
  user: { token: string },
  eventId: string,
): Promise<QueueAnswer> {
  const res = await app.inject({ method, url: `${API}/events/${eventId}/queue`, headers: bearer(user) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
export const join = (app: FastifyInstance, user: { token: string }, eventId: string) =>
  queue(app, 'POST', user, eventId);
export const stateOf = (app: FastifyInstance, user: { token: string }, eventId: string) =>
  queue(app, 'GET', user, eventId);

/** An event with a waiting room opening at `salesStartAt` (epoch ms; null: open now). */
export function roomEvent(admitPerMinute: number, salesStartAt: number | null, app = a) {
  return createEvent(app, admin, {
    salesStartAt: salesStartAt === null ? null : at(salesStartAt),
    waitingRoom: { enabled: true, admitPerMinute },
    layout: { sections: [{ name: 'Hall', rows: 5, seatsPerRow: 10, priceCents: 2000 }] },
  });
}

/** Users in the order the queue admits them (slot order), from the database. */
export async function admissionOrder(eventId: string): Promise<string[]> {
  const rows = await a.db.queueEntry.findMany({ where: { eventId }, orderBy: { slot: 'asc' } });
  expect(rows.every((r) => r.slot !== null)).toBe(true);
  return rows.map((r) => r.userId);
}

/**
 * Where each of `users` stands now, asking both replicas in turn. The first asks
 * alone: at the opening it runs the draw, which a poll arriving meanwhile skips
 * (answering its provisional place, corrected at its next poll).
 */
export async function statesOf(users: Buyer[], eventId: string, apps = [a, b]): Promise<QueueAnswer[]> {
  const first = await stateOf(apps[0] as FastifyInstance, users[0] as Buyer, eventId);
  const rest = await Promise.all(
    users.slice(1).map((u, i) => stateOf(apps[(i + 1) % apps.length] as FastifyInstance, u, eventId)),
  );
  return [first, ...rest];
}

export async function admittedCount(users: Buyer[], eventId: string): Promise<number> {
  return (await statesOf(users, eventId)).filter((s) => s.state === 'admitted').length;
}

export function hold(app: FastifyInstance, user: { token: string }, eventId: string, token?: string) {
  return app.inject({
    method: 'POST',
    url: `${API}/events/${eventId}/holds`,
    headers: { ...bearer(user), ...(token === undefined ? {} : { 'admission-token': token }) },
    payload: { quantity: 1 },
  });
}

export function buyNow(app: FastifyInstance, user: { token: string }, eventId: string, token?: string) {
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

export function expectRefused(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, code });
  return body;
}

export async function until(check: () => Promise<boolean>, what: string) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
