import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { bearer, type TestUser } from './app.ts';

export const GOOD_CARD = { method: 'test', card: '4242424242424242' } as const;
export const DECLINED_CARD = { method: 'test', card: '4000000000000002' } as const;

export async function seatsOf(app: FastifyInstance, eventId: string) {
  const res = await app.inject({ method: 'GET', url: `/api/v1/events/${eventId}/seats` });
  return res.json() as {
    version: number;
    seats: { id: string; section: string; row: number; number: number; status: string; priceCents: number }[];
  };
}

export function hold(app: FastifyInstance, user: TestUser, eventId: string, body: object) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/holds`,
    headers: bearer(user),
    payload: body,
  });
}

export function orderHold(
  app: FastifyInstance,
  user: TestUser,
  holdId: string,
  key: string = randomUUID(),
  card: { method: 'test'; card: string } = GOOD_CARD,
) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/holds/${holdId}/order`,
    headers: { ...bearer(user), 'idempotency-key': key },
    payload: { payment: card },
  });
}

export function buyNow(
  app: FastifyInstance,
  user: TestUser,
  eventId: string,
  body: object,
  key: string = randomUUID(),
) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/events/${eventId}/orders`,
    headers: { ...bearer(user), 'idempotency-key': key },
    payload: { payment: GOOD_CARD, ...body },
  });
}
