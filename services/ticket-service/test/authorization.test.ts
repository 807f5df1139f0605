// Who may call what: every /api/v1 route × {anonymous, customer, staff, admin}, with valid
// requests so that "allowed" means a 2xx; plus the tokens that must never count.
import { randomUUID } from 'node:crypto';
import {
  bearer,
  createAdmin,
  createEvent,
  eventBody,
  signup,
  type TestUser,
  testConfig,
  uniqueEmail,
} from '@tickets/testkit/app';
import { GOOD_CARD, hold } from '@tickets/testkit/purchase';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ORDER_CSV_COLUMNS } from '../src/domain/events/orders-export.ts';
import {
  API_PREFIX,
  apiRoutes,
  buildAppWithRoutes,
  documentedRoutes,
  hs256,
  listenLocally,
  openStream,
  type RegisteredRoute,
} from './support/routes.ts';

type Caller = 'anonymous' | 'customer' | 'staff' | 'admin';
// staff: admins and staff (door accounts), i.e. ticket check-in.
type Access = 'public' | 'customer' | 'staff' | 'admin';

interface Prepared {
  /** Relative to /api/v1. */
  url: string;
  payload?: unknown;
  /** Headers besides the caller's token (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
  /** For a refused request: throws if the request changed anything. */
  unchanged?: () => Promise<void>;
  /** For an allowed request: throws if it did not do what it should, for this caller. */
  verify?: (res: LightMyRequestResponse) => Promise<void>;
}

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as registered, relative to /api/v1. */
  route: string;
  access: Access;
  success: number;
  /** A Server-Sent Events route: requested from a listening server, never with app.inject. */
  stream?: boolean;
  prepare: (caller: TestUser | null) => Promise<Prepared>;
}

let app: FastifyInstance;
let routes: RegisteredRoute[];
let owner: TestUser; // the admin who creates the events the rows read or change
let baseUrl: string; // where the app really listens, for the event stream

beforeAll(async () => {
  // Webhook targets on loopback are allowed here, as in webhooks.test.ts (none are by default).
  ({ app, routes } = await buildAppWithRoutes({ webhookAllowPrivateTargets: ['loopback'] }));
  owner = await createAdmin(app);
  baseUrl = await listenLocally(app);
});
afterAll(async () => {
  // The endpoints the rows registered, so that no replica of another test file sends to them.
  await app?.db.webhookEndpoint.deleteMany({ where: { url: { startsWith: WEBHOOK_TARGET } } });
  await app?.close();
});

const PASSWORD = 'a password long enough';

// --- purchase fixtures: every row gets its own event, and its own hold or order ---------------------

/** The buyer a row acts for: the caller, or (for an anonymous caller) a customer of its own. */
async function buyerFor(caller: TestUser | null): Promise<TestUser> {
  return caller ?? signup(app, 'authz-buyer');
}

/** A fresh event with an active hold of two seats belonging to `buyer`. */
async function heldBy(buyer: TestUser) {
  const event = await createEvent(app, owner);
  const res = await hold(app, buyer, event.id, { quantity: 2 });
  if (res.statusCode !== 201) throw new Error(`hold failed: ${res.statusCode} ${res.body}`);
  return { event, holdId: res.json().id as string };
}

/** A fresh event with a confirmed order of one seat belonging to `buyer`. */
async function orderedBy(buyer: TestUser) {
  const event = await createEvent(app, owner);
  const res = await app.inject({
    method: 'POST',
    url: `${API_PREFIX}/events/${event.id}/orders`,
    headers: { ...bearer(buyer), 'idempotency-key': randomUUID() },
    payload: { quantity: 1, payment: GOOD_CARD },
  });
  if (res.statusCode !== 201) throw new Error(`order failed: ${res.statusCode} ${res.body}`);
  return { event, orderId: res.json().id as string };
}

/** Everything a purchase can change for one event, straight from the database. */
async function purchaseState(eventId: string) {
  const [seats, holds, orders, tickets] = await Promise.all([
    app.db.seat.findMany({
      where: { eventId },
      select: { id: true, status: true, holdId: true, orderId: true },
      orderBy: { id: 'asc' },
    }),
    app.db.hold.findMany({ where: { eventId }, select: { id: true, status: true }, orderBy: { id: 'asc' } }),
    app.db.order.count({ where: { eventId } }),
    app.db.ticket.count({ where: { eventId } }),
  ]);
  return { seats, holds, orders, tickets };
}

/** Snapshots an event's purchase state now; the returned check throws if it changed since. */
async function unchangedSince(eventId: string) {
  const before = await purchaseState(eventId);
  return async () => expect(await purchaseState(eventId)).toEqual(before);
}

// --- event images and webhook endpoints, made by the owner -----------------------------------------

/** A small PNG, as an admin's upload would be. */
const png = () =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 60, b: 40 } } })
    .png()
    .toBuffer();

/** A fresh event with an image. */
async function withImage() {
  const event = await createEvent(app, owner);
  const res = await app.inject({
    method: 'PUT',
    url: `${API_PREFIX}/admin/events/${event.id}/image`,
    headers: { ...bearer(owner), 'content-type': 'image/png' },
    payload: await png(),
  });
  if (res.statusCode !== 200) throw new Error(`image upload failed: ${res.statusCode} ${res.body}`);
  return { event, imageUrl: res.json().imageUrl as string };
}

/** An event's image as the database has it: the event's hash and the stored image's. */
async function imageState(eventId: string) {
  const [event, image] = await Promise.all([
    app.db.event.findUniqueOrThrow({ where: { id: eventId }, select: { imageHash: true } }),
    app.db.eventImage.findUnique({ where: { eventId }, select: { hash: true } }),
  ]);
  return { eventHash: event.imageHash, imageHash: image?.hash ?? null };
}

/** The event as the public API shows it. */
async function publicEvent(eventId: string) {
  return (await app.inject({ method: 'GET', url: `${API_PREFIX}/events/${eventId}` })).json();
}

// Loopback on the discard port: registration accepts it in this app, and a replica that does
// send (only webhooks.test.ts runs a sender) is refused at once rather than waiting for an answer.
const WEBHOOK_TARGET = 'http://127.0.0.1:9/authz/';

/** A webhook endpoint of its own (a unique URL), registered by the owner. */
async function webhook() {
  const res = await app.inject({
    method: 'POST',
    url: `${API_PREFIX}/admin/webhooks`,
    headers: bearer(owner),
    payload: { url: `${WEBHOOK_TARGET}${randomUUID()}`, events: ['event.sold_out'] },
  });
  if (res.statusCode !== 201) throw new Error(`webhook not registered: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** The caller, who is not anonymous when a request was allowed. */
function signedIn(caller: TestUser | null): TestUser {
  if (!caller) throw new Error('an allowed purchase needs a caller');
  return caller;
}

const MATRIX: Row[] = [
  {
    method: 'POST',
    route: '/auth/signup',
    access: 'public',
    success: 201,
    prepare: async () => ({
      url: '/auth/signup',
      payload: { email: uniqueEmail('signup'), password: PASSWORD, name: 'S' },
    }),
  },
  {
    method: 'POST',
    route: '/auth/login',
    access: 'public',
    success: 200,
    prepare: async () => {
      const user = await signup(app, 'login');
      return { url: '/auth/login', payload: { email: user.email, password: user.password } };
    },
  },
  { method: 'GET', route: '/me', access: 'customer', success: 200, prepare: async () => ({ url: '/me' }) },
  {
    method: 'POST',
    route: '/me/password',
    access: 'customer',
    success: 204,
    prepare: async (caller) => ({
      url: '/me/password',
      payload: {
        currentPassword: caller?.password ?? 'no password at all',
        newPassword: 'a brand new secret',
      },
    }),
  },
  {
    method: 'GET',
    route: '/events',
    access: 'public',
    success: 200,
    prepare: async () => ({ url: '/events' }),
  },
  {
    method: 'GET',
    route: '/events/:eventId',
    access: 'public',
    success: 200,
    prepare: async () => ({ url: `/events/${(await createEvent(app, owner)).id}` }),
  },
  {
    method: 'GET',
    route: '/events/:eventId/seats',
    access: 'public',
    success: 200,
    prepare: async () => ({ url: `/events/${(await createEvent(app, owner)).id}/seats` }),
  },
  {
    method: 'GET',
    route: '/events/:eventId/image',
    access: 'public',
    success: 200,
    prepare: async () => {
      const { imageUrl } = await withImage();
      return {
        url: imageUrl.slice(API_PREFIX.length),
        verify: async (res) => {
          expect(res.headers['content-type']).toBe('image/webp');
          expect((await sharp(res.rawPayload).metadata()).format).toBe('webp');
        },
      };
    },
  },
  {
    method: 'POST',
    route: '/admin/events',
    access: 'admin',
    success: 201,
    prepare: async () => {
      const body = eventBody({ title: `authz-${randomUUID()}` });
      return {
        url: '/admin/events',
        payload: body,
        unchanged: async () => expect(await app.db.event.count({ where: { title: body.title } })).toBe(0),
      };
    },
  },
  {
    method: 'PATCH',
    route: '/admin/events/:eventId',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const event = await createEvent(app, owner);
      return {
        url: `/admin/events/${event.id}`,
        payload: { status: 'closed' },
        unchanged: async () => {
          const row = await app.db.event.findUniqueOrThrow({ where: { id: event.id } });
          expect(row.status).toBe('on_sale');
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/admin/events',
    access: 'admin',
    success: 200,
    prepare: async () => ({ url: '/admin/events' }),
  },
  {
    method: 'GET',
    route: '/admin/events/:eventId/orders',
    access: 'admin',
    success: 200,
    prepare: async () => ({ url: `/admin/events/${(await createEvent(app, owner)).id}/orders` }),
  },
  {
    method: 'GET',
    route: '/admin/audit',
    access: 'admin',
    success: 200,
    prepare: async () => ({ url: '/admin/audit?limit=5' }),
  },
  {
    method: 'POST',
    route: '/admin/users',
    access: 'admin',
    success: 201,
    prepare: async () => {
      const email = uniqueEmail('made');
      return {
        url: '/admin/users',
        payload: { email, password: PASSWORD, name: 'Made', role: 'admin' },
        unchanged: async () => expect(await app.db.user.count({ where: { email } })).toBe(0),
      };
    },
  },
  {
    method: 'PUT',
    route: '/admin/events/:eventId/image',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const event = await createEvent(app, owner);
      return {
        url: `/admin/events/${event.id}/image`,
        headers: { 'content-type': 'image/png' },
        payload: await png(),
        unchanged: async () => {
          expect(await imageState(event.id)).toEqual({ eventHash: null, imageHash: null });
          expect((await publicEvent(event.id)).imageUrl).toBeNull();
        },
        verify: async (res) => {
          const { imageUrl } = res.json();
          expect(imageUrl).toMatch(new RegExp(`^${API_PREFIX}/events/${event.id}/image\\?v=`));
          expect((await publicEvent(event.id)).imageUrl).toBe(imageUrl);
          expect((await imageState(event.id)).imageHash).not.toBeNull();
        },
      };
    },
  },
  {
    method: 'DELETE',
    route: '/admin/events/:eventId/image',
    access: 'admin',
    success: 204,
    prepare: async () => {
      const { event, imageUrl } = await withImage();
      const before = await imageState(event.id);
      return {
        url: `/admin/events/${event.id}/image`,
        unchanged: async () => {
          expect(await imageState(event.id)).toEqual(before);
          expect((await publicEvent(event.id)).imageUrl).toBe(imageUrl);
        },
        verify: async () => {
          expect(await imageState(event.id)).toEqual({ eventHash: null, imageHash: null });
          expect((await publicEvent(event.id)).imageUrl).toBeNull();
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/admin/events/:eventId/orders.csv',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const { event, orderId } = await orderedBy(await signup(app, 'authz-buyer'));
      return {
        url: `/admin/events/${event.id}/orders.csv`,
        verify: async (res) => {
          expect(res.headers['content-type']).toMatch(/^text\/csv/);
          const [header, ...rows] = res.body.split('\r\n');
          expect(header).toBe(ORDER_CSV_COLUMNS.join(','));
          // One ticket, then the CRLF that ends it.
          expect(rows).toHaveLength(2);
          expect(rows[0]?.startsWith(`${orderId},`)).toBe(true);
        },
      };
    },
  },
  {
    method: 'POST',
    route: '/admin/orders/:orderId/cancel',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const { event, orderId } = await orderedBy(await signup(app, 'authz-buyer'));
      const status = async () => (await app.db.order.findUniqueOrThrow({ where: { id: orderId } })).status;
      const unchanged = await unchangedSince(event.id);
      return {
        url: `/admin/orders/${orderId}/cancel`,
        unchanged: async () => {
          expect(await status()).toBe('confirmed');
          await unchanged();
        },
        verify: async (res) => {
          expect(res.json()).toMatchObject({ id: orderId, status: 'cancelled' });
          expect(await status()).toBe('cancelled');
          expect(
            await app.db.seat.count({ where: { eventId: event.id, status: { not: 'available' } } }),
          ).toBe(0);
        },
      };
    },
  },
  {
    method: 'POST',
    route: '/admin/webhooks',
    access: 'admin',
    success: 201,
    prepare: async () => {
      const url = `${WEBHOOK_TARGET}${randomUUID()}`;
      return {
        url: '/admin/webhooks',
        payload: { url, events: ['event.sold_out'] },
        unchanged: async () => expect(await app.db.webhookEndpoint.count({ where: { url } })).toBe(0),
        verify: async (res) => {
          expect(res.json().secret).toMatch(/^whsec_/);
          const row = await app.db.webhookEndpoint.findUniqueOrThrow({ where: { id: res.json().id } });
          expect(row).toMatchObject({ url, events: ['event.sold_out'] });
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/admin/webhooks',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const id = await webhook();
      return {
        url: '/admin/webhooks',
        verify: async (res) => {
          const listed = res.json().items.find((h: { id: string }) => h.id === id);
          expect(listed).toMatchObject({ id, events: ['event.sold_out'] });
          expect(listed).not.toHaveProperty('secret');
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/admin/webhooks/:webhookId/deliveries',
    access: 'admin',
    success: 200,
    prepare: async () => {
      const endpointId = await webhook();
      // Delivered already, so that no sender picks it up.
      const delivery = await app.db.webhookDelivery.create({
        data: {
          endpointId,
          eventType: 'event.sold_out',
          payload: { probe: true },
          status: 'delivered',
          deliveredAt: new Date(),
        },
      });
      return {
        url: `/admin/webhooks/${endpointId}/deliveries`,
        verify: async (res) =>
          expect(res.json().items).toEqual([
            expect.objectContaining({ id: delivery.id, status: 'delivered', payload: { probe: true } }),
          ]),
      };
    },
  },
  {
    method: 'DELETE',
    route: '/admin/webhooks/:webhookId',
    access: 'admin',
    success: 204,
    prepare: async () => {
      const id = await webhook();
      const exists = () => app.db.webhookEndpoint.count({ where: { id } });
      return {
        url: `/admin/webhooks/${id}`,
        unchanged: async () => expect(await exists()).toBe(1),
        verify: async () => expect(await exists()).toBe(0),
      };
    },
  },
  // The door: admins and staff, nobody else.
  {
    method: 'POST',
    route: '/admin/events/:eventId/check-in',
    access: 'staff',
    success: 200,
    prepare: async () => {
      const buyer = await signup(app, 'authz-ticket');
      const { event, orderId } = await orderedBy(buyer);
      const read = await app.inject({
        method: 'GET',
        url: `${API_PREFIX}/orders/${orderId}`,
        headers: bearer(buyer),
      });
      const ticket = read.json().tickets[0] as { id: string; code: string };
      const checkedIn = async () =>
        (await app.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).checkedInAt;
      return {
        url: `/admin/events/${event.id}/check-in`,
        payload: { code: ticket.code },
        unchanged: async () => expect(await checkedIn()).toBeNull(),
        verify: async (res) => {
          expect(res.json().ticket.id).toBe(ticket.id);
          expect(await checkedIn()).not.toBeNull();
        },
      };
    },
  },
  // Holds and orders: any signed-in buyer, on their own holds and orders.
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
  // The waiting room: any signed-in buyer, for their own place.
  {
    method: 'POST',
    route: '/events/:eventId/queue',
    access: 'customer',
    success: 200,
    prepare: async (caller) => {
      const event = await createEvent(app, owner, { waitingRoom: { enabled: true, admitPerMinute: 60 } });
      const places = () => app.db.queueEntry.count({ where: { eventId: event.id } });
      return {
        url: `/events/${event.id}/queue`,
        unchanged: async () => expect(await places()).toBe(0),
        verify: async (res) => {
          expect(res.json().state).toBe('admitted');
          const [entry] = await app.db.queueEntry.findMany({ where: { eventId: event.id } });
          expect(entry?.userId).toBe(signedIn(caller).id);
        },
      };
    },
  },
  {
    method: 'GET',
    route: '/events/:eventId/queue',
    access: 'customer',
    success: 200,
    prepare: async (caller) => {
      const event = await createEvent(app, owner, { waitingRoom: { enabled: true, admitPerMinute: 60 } });
      if (caller) {
        const joined = await app.inject({
          method: 'POST',
          url: `${API_PREFIX}/events/${event.id}/queue`,
          headers: bearer(caller),
        });
        expect(joined.statusCode, joined.body).toBe(200);
      }
      return {
        url: `/events/${event.id}/queue`,
        verify: async (res) => expect(res.json().state).toBe('admitted'),
      };
    },
  },
  {
    method: 'GET',
    route: '/events/:eventId/stream',
    access: 'public',
    success: 200,
    stream: true,
    prepare: async () => ({ url: `/events/${(await createEvent(app, owner)).id}/stream` }),
  },
  // The API's own description is public too.
  {
    method: 'GET',
    route: '/openapi.json',
    access: 'public',
    success: 200,
    prepare: async () => ({ url: '/openapi.json' }),
  },
  { method: 'GET', route: '/docs', access: 'public', success: 200, prepare: async () => ({ url: '/docs' }) },
];

/** Routes that are part of the docs page rather than the API (not in the OpenAPI document). */
const UNDOCUMENTED = new Set(['GET /openapi.json', 'GET /docs']);

interface Outcome {
  status: 'success' | 401 | 403;
  code?: 'UNAUTHENTICATED' | 'FORBIDDEN';
}

function expected(access: Access, caller: Caller): Outcome {
  if (access === 'public') return { status: 'success' };
  if (caller === 'anonymous') return { status: 401, code: 'UNAUTHENTICATED' };
  if (access === 'admin' && caller !== 'admin') return { status: 403, code: 'FORBIDDEN' };
  if (access === 'staff' && caller === 'customer') return { status: 403, code: 'FORBIDDEN' };
  // Admins may do everything; staff what customers may, and check-in.
  return { status: 'success' };
}

const CASES = MATRIX.flatMap((row) =>
  (['anonymous', 'customer', 'staff', 'admin'] as const).map((caller) => {
    const outcome = expected(row.access, caller);
    return {
      row,
      caller,
      name: `${row.method} ${row.route}`,
      outcome: outcome.status === 'success' ? String(row.success) : `${outcome.status} ${outcome.code}`,
      ...outcome,
    };
  }),
);

async function makeCaller(caller: Caller): Promise<TestUser | null> {
  if (caller === 'anonymous') return null;
  if (caller === 'staff') return createStaff();
  return caller === 'admin' ? createAdmin(app) : signup(app, 'authz');
}

/** A staff member, made by an admin as POST /admin/users makes them, logged in. */
async function createStaff(): Promise<TestUser> {
  const email = uniqueEmail('staff');
  const made = await app.inject({
    method: 'POST',
    url: `${API_PREFIX}/admin/users`,
    headers: bearer(owner),
    payload: { email, password: PASSWORD, name: 'Door', role: 'staff' },
  });
  if (made.statusCode !== 201) throw new Error(`staff not made: ${made.statusCode} ${made.body}`);
  const login = await app.inject({
    method: 'POST',
    url: `${API_PREFIX}/auth/login`,
    payload: { email, password: PASSWORD },
  });
  return { id: made.json().id, email, password: PASSWORD, token: login.json().token };
}

describe('authorization matrix', () => {
  it.each(CASES)(
    'when $caller calls $name, then it answers $outcome',
    async ({ row, caller, status, code }) => {
      const user = await makeCaller(caller);
      const prepared = await row.prepare(user);
      const headers = { ...(user ? bearer(user) : {}), ...prepared.headers };
      if (row.stream) {
        const answer = await openStream(baseUrl, `${API_PREFIX}${prepared.url}`, { headers });
        if (status === 'success') {
          expect(answer.status, answer.body).toBe(row.success);
          expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
          expect(answer.body).toMatch(/^event: ready$/m);
          return;
        }
        expect(answer.status, answer.body).toBe(status);
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
        expect(JSON.parse(answer.body)).toMatchObject({ status, code });
        return;
      }
      const res = await app.inject({
        method: row.method,
        url: `${API_PREFIX}${prepared.url}`,
        headers,
        ...(prepared.payload === undefined ? {} : { payload: prepared.payload as InjectOptions['payload'] }),
      });
      if (status === 'success') {
        expect(res.statusCode, res.body).toBe(row.success);
        if (row.route === '/me') expect(res.json().id).toBe(user?.id);
        await prepared.verify?.(res);
        return;
      }
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status, code });
      await prepared.unchanged?.();
    },
  );

  it('when the app registers its routes, then the matrix has exactly one row for each /api/v1 route', () => {
    const real = apiRoutes(routes);
    const rows = MATRIX.map((r) => `${r.method} ${r.route}`).sort();
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows).toEqual(real);
  });

  it('when the OpenAPI document lists the /api/v1 operations, then each has a matrix row and the same access', async () => {
    const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const documented = documentedRoutes(doc);
    const rows = MATRIX.map((r) => `${r.method} ${r.route}`).filter((r) => !UNDOCUMENTED.has(r));
    expect(documented).toEqual(rows.sort());
    for (const row of MATRIX) {
      if (UNDOCUMENTED.has(`${row.method} ${row.route}`)) continue;
      const path = `${API_PREFIX}${row.route.replace(/:(\w+)/g, '{$1}')}`;
      const op = doc.paths[path][row.method.toLowerCase()];
      // A route that needs a token says so in the document, and a public one does not.
      expect(Boolean(op.security?.length), `${row.method} ${row.route}`).toBe(row.access !== 'public');
    }
  });
});

describe("other buyers' holds and orders", () => {
  function expectNotFound(res: LightMyRequestResponse) {
    expect(res.statusCode, res.body).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  }

  it.each(['customer', 'admin'] as const)(
    "when another buyer (%s) reads, releases or buys a customer's hold, then 404 NOT_FOUND and the hold is untouched",
    async (who) => {
      const holder = await signup(app, 'holder');
      const { event, holdId } = await heldBy(holder);
      const unchanged = await unchangedSince(event.id);
      const other = who === 'admin' ? await createAdmin(app) : await signup(app, 'other');
      const key = randomUUID();
      expectNotFound(
        await app.inject({ method: 'GET', url: `${API_PREFIX}/holds/${holdId}`, headers: bearer(other) }),
      );
      expectNotFound(
        await app.inject({ method: 'DELETE', url: `${API_PREFIX}/holds/${holdId}`, headers: bearer(other) }),
      );
      expectNotFound(
        await app.inject({
          method: 'POST',
          url: `${API_PREFIX}/holds/${holdId}/order`,
          headers: { ...bearer(other), 'idempotency-key': key },
          payload: { payment: GOOD_CARD },
        }),
      );
      await unchanged();
      // The refused purchase leaves no key behind: a retry would be judged afresh.
      expect(await app.db.idempotencyRecord.count({ where: { userId: other.id } })).toBe(0);
      // And the holder still can.
      const own = await app.inject({
        method: 'GET',
        url: `${API_PREFIX}/holds/${holdId}`,
        headers: bearer(holder),
      });
      expect(own.statusCode, own.body).toBe(200);
    },
  );

  it("when a customer reads someone else's order, then 404 NOT_FOUND, and it is not in their history", async () => {
    const buyer = await signup(app, 'buyer');
    const { orderId } = await orderedBy(buyer);
    const other = await signup(app, 'other');
    expectNotFound(
      await app.inject({ method: 'GET', url: `${API_PREFIX}/orders/${orderId}`, headers: bearer(other) }),
    );
    const list = await app.inject({ method: 'GET', url: `${API_PREFIX}/orders`, headers: bearer(other) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([]);
  });

  it("when an admin lists /orders, then it is the admin's own history, not everyone's", async () => {
    const buyer = await signup(app, 'buyer');
    const { orderId } = await orderedBy(buyer);
    const admin = await createAdmin(app);
    const list = await app.inject({ method: 'GET', url: `${API_PREFIX}/orders`, headers: bearer(admin) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((o: { id: string }) => o.id)).not.toContain(orderId);
    const one = await app.inject({
      method: 'GET',
      url: `${API_PREFIX}/orders/${orderId}`,
      headers: bearer(admin),
    });
    expect(one.statusCode, one.body).toBe(200);
  });
});

describe('tokens that do not count', () => {
  const me = (token: string) =>
    app.inject({ method: 'GET', url: `${API_PREFIX}/me`, headers: { authorization: `Bearer ${token}` } });
  const adminEvents = (token: string) =>
    app.inject({
      method: 'GET',
      url: `${API_PREFIX}/admin/events`,
      headers: { authorization: `Bearer ${token}` },
    });
  const claims = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, number>;

  function expectUnauthenticated(res: Awaited<ReturnType<typeof me>>) {
    expect(res.statusCode, res.body).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  }

  it('when a token is signed by hand with the real secret, then it is accepted (control for the cases below)', async () => {
    const user = await signup(app, 'control');
    const now = Math.floor(Date.now() / 1000);
    const token = hs256({ sub: user.id, tv: 0, iat: now, exp: now + 60 }, testConfig().jwtSecret);
    const res = await me(token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().id).toBe(user.id);
  });

  it('when a token outlives its 1-second lifetime, then it is 401 UNAUTHENTICATED', async () => {
    const user = await signup(app, 'short');
    const token = app.jwt.sign({ sub: user.id, tv: 0 }, { expiresIn: 1 });
    expect((await me(token)).statusCode).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 5_000);
      expectUnauthenticated(await me(token));
    } finally {
      vi.useRealTimers();
    }
  });

  it('when a token was issued and expired in the past, then it is 401 UNAUTHENTICATED', async () => {
    const user = await signup(app, 'old');
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    // The signer's configured lifetime wins over an `exp` claim, so the past is set through `iat`.
    const token = app.jwt.sign({ sub: user.id, tv: 0, iat: hourAgo } as never, { expiresIn: 60 });
    expect(claims(token).exp).toBeLessThan(Date.now() / 1000);
    expectUnauthenticated(await me(token));
    const past = Math.floor(Date.now() / 1000) - 60;
    expectUnauthenticated(
      await me(hs256({ sub: user.id, tv: 0, iat: past - 60, exp: past }, testConfig().jwtSecret)),
    );
  });

  it('when an admin token has expired, then an admin route answers 401, not 403 or 200', async () => {
    const admin = await createAdmin(app);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const token = app.jwt.sign({ sub: admin.id, tv: 0, iat: hourAgo } as never, { expiresIn: 60 });
    expectUnauthenticated(await adminEvents(token));
  });

  it('when a login token is 11 hours old it still works, and at 12 hours and a minute it is 401', async () => {
    const user = await signup(app, 'ttl');
    expect(app.config.jwtTtlSeconds).toBe(12 * 3600);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.now();
      vi.setSystemTime(start + 11 * 3600_000);
      expect((await me(user.token)).statusCode).toBe(200);
      vi.setSystemTime(start + 12 * 3600_000 + 60_000);
      expectUnauthenticated(await me(user.token));
    } finally {
      vi.useRealTimers();
    }
  });

  it('when the user of a valid token has been deleted, then the token is 401 UNAUTHENTICATED', async () => {
    const user = await signup(app, 'deleted');
    expect((await me(user.token)).statusCode).toBe(200);
    await app.db.user.delete({ where: { id: user.id } });
    // Replicas cache the row; whatever deletes a user must say so after COMMIT, as
    // every change to the row must (otherwise the copy lasts up to AUTH_CACHE_TTL_MS).
    app.domain.userChanged(user.id);
    expectUnauthenticated(await me(user.token));
  });

  it('when an admin is deleted, then their token no longer opens admin routes', async () => {
    const admin = await createAdmin(app);
    expect((await adminEvents(admin.token)).statusCode).toBe(200);
    await app.db.user.delete({ where: { id: admin.id } });
    app.domain.userChanged(admin.id);
    expectUnauthenticated(await adminEvents(admin.token));
  });

  it('when a token is signed with another secret, then it is 401 UNAUTHENTICATED', async () => {
    const admin = await createAdmin(app);
    const now = Math.floor(Date.now() / 1000);
    const forged = hs256(
      { sub: admin.id, tv: 0, iat: now, exp: now + 600 },
      'another-secret-that-is-long-enough',
    );
    expectUnauthenticated(await me(forged));
    expectUnauthenticated(await adminEvents(forged));
  });

  it('when a token is unsigned (alg none) or tampered with, then it is 401 UNAUTHENTICATED', async () => {
    const customer = await signup(app, 'tamper');
    const admin = await createAdmin(app);
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    expectUnauthenticated(
      await adminEvents(`${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: admin.id, tv: 0, iat: now })}.`),
    );
    // The customer's real signature on a payload that names the admin.
    const [head, , signature] = customer.token.split('.');
    expectUnauthenticated(
      await adminEvents(`${head}.${enc({ ...claims(customer.token), sub: admin.id })}.${signature}`),
    );
  });

  it('when the Authorization header is not a bearer token, then /me is 401 UNAUTHENTICATED', async () => {
    const user = await signup(app, 'header');
    for (const authorization of [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer ',
      `Token ${user.token}`,
      user.token,
    ]) {
      const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/me`, headers: { authorization } });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
  });

  // Regression, fixed (src/plugins/app/auth.ts, authenticate): a correctly signed token whose `sub` is not a
  // uuid (or is missing) reaches Prisma's findUnique, which throws, and the answer is 500 INTERNAL.
  // Only someone holding JWT_SECRET can mint such a token, so the impact is small.
  it('when a correctly signed token names no valid user id, then it is 401, not 500', async () => {
    for (const payload of [{ sub: 'not-a-uuid', tv: 0 }, { tv: 0 }]) {
      expectUnauthenticated(await me(app.jwt.sign(payload as never)));
    }
  });
});
