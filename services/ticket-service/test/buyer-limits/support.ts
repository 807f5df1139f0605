// Per-customer limits (issue #12, item 2): a customer's tickets for an event (orders
// not cancelled) plus the seats their active holds keep never exceed the event's
// maxTicketsPerCustomer, on any replica and under concurrency. Two apps share
// PostgreSQL and Redis here, as replicas do.
import { bearer, buildTestApp, createAdmin, type TestUser } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';

// Set by useTwoReplicas before the file's tests run; importers see the current values
// through the live bindings.
export let a: FastifyInstance;
export let b: FastifyInstance;
export let admin: TestUser;

export function useTwoReplicas(): void {
  beforeAll(async () => {
    [a, b] = await Promise.all([
      buildTestApp({ replicaId: 'limits-a' }),
      buildTestApp({ replicaId: 'limits-b' }),
    ]);
    admin = await createAdmin(a);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });
}

export const hall = (maxTicketsPerCustomer?: number) => ({
  layout: { sections: [{ name: 'Stalls', rows: 10, seatsPerRow: 10, priceCents: 2500 }] },
  ...(maxTicketsPerCustomer === undefined ? {} : { maxTicketsPerCustomer }),
});

/** What counts against the limit, counted here on its own: tickets plus seats of active holds. */
export async function holdsOf(eventId: string, userId: string): Promise<number> {
  const tickets = await a.db.ticket.count({ where: { eventId, order: { userId } } });
  const holds = await a.db.hold.findMany({ where: { eventId, userId, status: 'active' } });
  return tickets + holds.reduce((n, h) => n + h.seatIds.length, 0);
}

export async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 25));
  expect(await check()).toBe(true);
}

export function patch(eventId: string, payload: object) {
  return a.inject({
    method: 'PATCH',
    url: `/api/v1/admin/events/${eventId}`,
    headers: bearer(admin),
    payload,
  });
}
