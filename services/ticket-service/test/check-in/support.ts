// Signed tickets and check-in at the door (README, "Tickets at the door"), on two
// replicas of one cluster: the same database, Redis and secrets.
import {
  bearer,
  buildTestApp,
  createAdmin,
  createEvent,
  signup,
  type TestUser,
  uniqueEmail,
} from '@tickets/testkit/app';
import { buyNow } from '@tickets/testkit/purchase';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';

export const API = '/api/v1';

// Set by useTwoDoors before the file's tests run; importers see the current values
// through the live bindings.
export let doorA: FastifyInstance;
export let doorB: FastifyInstance;
export let admin: TestUser;
export let staff: TestUser;

export interface Ticket {
  id: string;
  seatId: string;
  label: string;
  code: string;
  checkedInAt: string | null;
}

export function useTwoDoors(): void {
  beforeAll(async () => {
    [doorA, doorB] = await Promise.all([
      buildTestApp({ replicaId: 'door-a' }),
      buildTestApp({ replicaId: 'door-b' }),
    ]);
    admin = await createAdmin(doorA);
    staff = await createUserAs(admin, 'staff');
  });
  afterAll(async () => {
    await Promise.all([doorA?.close(), doorB?.close()]);
  });
}

/** A user made by an admin through POST /admin/users, logged in. */
export async function createUserAs(by: TestUser, role: 'staff' | 'admin' | 'customer'): Promise<TestUser> {
  const email = uniqueEmail(role);
  const password = 'a door password';
  const made = await doorA.inject({
    method: 'POST',
    url: `${API}/admin/users`,
    headers: bearer(by),
    payload: { email, password, name: `The ${role}`, role },
  });
  expect(made.statusCode, made.body).toBe(201);
  expect(made.json().role).toBe(role);
  const login = await doorA.inject({
    method: 'POST',
    url: `${API}/auth/login`,
    payload: { email, password },
  });
  expect(login.statusCode, login.body).toBe(200);
  return { id: made.json().id, email, password, token: login.json().token };
}

/** A fresh event and an order of `quantity` seats by a fresh customer, with its tickets as read back. */
export async function sold(quantity = 2) {
  const event = await createEvent(doorA, admin);
  const buyer = await signup(doorA, 'door-buyer');
  const bought = await buyNow(doorA, buyer, event.id, { quantity });
  expect(bought.statusCode, bought.body).toBe(201);
  const orderId = bought.json().id as string;
  const read = await doorA.inject({ method: 'GET', url: `${API}/orders/${orderId}`, headers: bearer(buyer) });
  expect(read.statusCode, read.body).toBe(200);
  return { event, buyer, orderId, tickets: read.json().tickets as Ticket[] };
}

export function checkIn(door: FastifyInstance, who: TestUser | null, eventId: string, code: unknown) {
  return door.inject({
    method: 'POST',
    url: `${API}/admin/events/${eventId}/check-in`,
    headers: who ? bearer(who) : {},
    payload: { code },
  });
}

export function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ status, code });
}
