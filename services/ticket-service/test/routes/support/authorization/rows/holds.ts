// src/routes/holds.ts: any signed-in buyer, on their own holds.
import { randomUUID } from 'node:crypto';
import { createEvent } from '@tickets/testkit/app';
import { GOOD_CARD } from '@tickets/testkit/purchase';
import { expect } from 'vitest';
import { app, owner } from '../app.ts';
import { buyerFor, heldBy, signedIn, unchangedSince } from '../fixtures.ts';
import type { Row } from '../matrix.ts';

export const HOLDS_ROWS: Row[] = [
  {
    method: 'POST',
    route: '/events/:eventId/holds',
    access: 'customer',
    success: 201,
    prepare: async (caller) => {
      const event = await createEvent(app, owner);
      return {
        url: `/events/${event.id}/holds`,
        payload: { quantity: 2 },
        unchanged: await unchangedSince(event.id),
        verify: async (res) => {
          const row = await app.db.hold.findUniqueOrThrow({ where: { id: res.json().id } });
          expect(row).toMatchObject({ userId: signedIn(caller).id, eventId: event.id, status: 'active' });
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/holds/:holdId',
    access: 'customer',
    success: 200,
    prepare: async (caller) => {
      const { event, holdId } = await heldBy(await buyerFor(caller));
      return {
        url: `/holds/${holdId}`,
        verify: async (res) => expect(res.json()).toMatchObject({ id: holdId, eventId: event.id }),
      };
    },
  },
  {
    method: 'DELETE',
    route: '/holds/:holdId',
    access: 'customer',
    success: 204,
    prepare: async (caller) => {
      const { event, holdId } = await heldBy(await buyerFor(caller));
      return {
        url: `/holds/${holdId}`,
        unchanged: await unchangedSince(event.id),
        verify: async () => {
          const row = await app.db.hold.findUniqueOrThrow({ where: { id: holdId } });
          expect(row.status).toBe('released');
          expect(
            await app.db.seat.count({ where: { eventId: event.id, status: { not: 'available' } } }),
          ).toBe(0);
        },
      };
    },
  },
  {
    method: 'POST',
    route: '/holds/:holdId/order',
    access: 'customer',
    success: 201,
    prepare: async (caller) => {
      const { event, holdId } = await heldBy(await buyerFor(caller));
      return {
        url: `/holds/${holdId}/order`,
        headers: { 'idempotency-key': randomUUID() },
        payload: { payment: GOOD_CARD },
        unchanged: await unchangedSince(event.id),
        verify: async (res) => {
          const row = await app.db.order.findUniqueOrThrow({ where: { id: res.json().id } });
          expect(row).toMatchObject({ userId: signedIn(caller).id, holdId, eventId: event.id });
        },
      };
    },
  },
];
