// src/routes/orders.ts: any signed-in buyer, on their own orders.
import { randomUUID } from 'node:crypto';
import { createEvent, signup } from '@tickets/testkit/app';
import { GOOD_CARD } from '@tickets/testkit/purchase';
import { expect } from 'vitest';
import { app, owner } from '../app.ts';
import { buyerFor, orderedBy, signedIn, unchangedSince } from '../fixtures.ts';
import type { Row } from '../matrix.ts';

export const ORDERS_ROWS: Row[] = [
  {
    method: 'POST',
    route: '/events/:eventId/orders',
    access: 'customer',
    success: 201,
    prepare: async (caller) => {
      const event = await createEvent(app, owner);
      return {
        url: `/events/${event.id}/orders`,
        headers: { 'idempotency-key': randomUUID() },
        payload: { quantity: 2, payment: GOOD_CARD },
        unchanged: await unchangedSince(event.id),
        verify: async (res) => {
          const row = await app.db.order.findUniqueOrThrow({ where: { id: res.json().id } });
          expect(row).toMatchObject({ userId: signedIn(caller).id, eventId: event.id });
          expect(await app.db.ticket.count({ where: { orderId: row.id } })).toBe(2);
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/orders',
    access: 'customer',
    success: 200,
    prepare: async (caller) => {
      const { orderId } = await orderedBy(await buyerFor(caller));
      return {
        url: '/orders',
        // A fresh caller's history is exactly the one order made for them.
        verify: async (res) => expect(res.json().items.map((o: { id: string }) => o.id)).toEqual([orderId]),
      };
    },
  },
  {
    method: 'GET',
    route: '/orders/:orderId',
    access: 'customer',
    success: 200,
    prepare: async (caller) => {
      // A customer (or staff) reads their own order; an admin reads a customer's (admins may read any).
      const buyer =
        caller && (await app.db.user.findUniqueOrThrow({ where: { id: caller.id } })).role !== 'admin'
          ? caller
          : await signup(app, 'authz-buyer');
      const { orderId } = await orderedBy(buyer);
      return {
        url: `/orders/${orderId}`,
        verify: async (res) => expect(res.json().id).toBe(orderId),
      };
    },
  },
];
