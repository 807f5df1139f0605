// Every route that takes a JSON body, with a valid request for it: each bad case changes
// one thing of this request, so the request fails for that one defect.
import { GOOD_CARD } from '@tickets/testkit/purchase';
import {
  type Caller,
  eventRow,
  eventsMarked,
  headersFor,
  loginsMarked,
  type Needs,
  purchaseState,
  type Snapshot,
  type Subject,
  userRow,
  usersMarked,
} from './subjects.ts';

export interface BodyRoute extends Needs {
  name: string;
  method: 'POST' | 'PATCH';
  url: (s: Subject) => string;
  caller: Caller;
  valid: (s: Subject) => Record<string, unknown>;
  /** What the valid request answers. */
  validStatus: number;
  /** Headers the valid request needs besides the caller's token. */
  headers?: (s: Subject) => Record<string, string>;
  snapshot: Snapshot;
}

export const layout = (section: Record<string, unknown> = {}) => ({
  sections: [{ name: 'Floor', rows: 2, seatsPerRow: 3, priceCents: 1000, ...section }],
});

export const BODY_ROUTES = {
  signup: {
    name: 'POST /auth/signup',
    method: 'POST',
    url: () => '/auth/signup',
    caller: 'anonymous',
    valid: ({ marker }) => ({ email: `${marker}@example.test`, password: 'long enough pw', name: marker }),
    validStatus: 201,
    snapshot: usersMarked,
  },
  login: {
    name: 'POST /auth/login',
    method: 'POST',
    url: () => '/auth/login',
    caller: 'anonymous',
    valid: ({ marker }) => ({ email: `${marker}@example.test`, password: 'long enough pw' }),
    validStatus: 401, // a well-formed login for an unknown email
    snapshot: loginsMarked,
  },
  password: {
    name: 'POST /me/password',
    method: 'POST',
    url: () => '/me/password',
    caller: 'subject',
    valid: ({ user }) => ({ currentPassword: user.password, newPassword: 'a brand new secret' }),
    validStatus: 204,
    snapshot: userRow,
    needsUser: true,
  },
  createEvent: {
    name: 'POST /admin/events',
    method: 'POST',
    url: () => '/admin/events',
    caller: 'admin',
    valid: ({ marker }) => ({
      title: marker,
      description: marker,
      venue: marker,
      startsAt: new Date(Date.now() + 86400_000).toISOString(),
      currency: 'EUR',
      layout: layout(),
    }),
    validStatus: 201,
    snapshot: eventsMarked,
  },
  patchEvent: {
    name: 'PATCH /admin/events/:eventId',
    method: 'PATCH',
    url: ({ event }) => `/admin/events/${event.id}`,
    caller: 'admin',
    valid: () => ({ status: 'closed' }),
    validStatus: 200,
    snapshot: eventRow,
    needsEvent: true,
  },
  createUser: {
    name: 'POST /admin/users',
    method: 'POST',
    url: () => '/admin/users',
    caller: 'admin',
    valid: ({ marker }) => ({
      email: `${marker}@example.test`,
      password: 'long enough pw',
      name: marker,
      role: 'admin',
    }),
    validStatus: 201,
    snapshot: usersMarked,
  },
  hold: {
    name: 'POST /events/:eventId/holds',
    method: 'POST',
    url: ({ event }) => `/events/${event.id}/holds`,
    caller: 'customer',
    valid: ({ seats }) => ({ seatIds: seats.slice(0, 2) }),
    validStatus: 201,
    snapshot: purchaseState,
    needsEvent: true,
  },
  orderHold: {
    name: 'POST /holds/:holdId/order',
    method: 'POST',
    url: ({ hold }) => `/holds/${hold.id}/order`,
    caller: 'customer',
    valid: () => ({ payment: { ...GOOD_CARD } }),
    validStatus: 201,
    headers: ({ marker }) => ({ 'idempotency-key': marker }),
    snapshot: purchaseState,
    needsHold: true,
  },
  buyNow: {
    name: 'POST /events/:eventId/orders',
    method: 'POST',
    url: ({ event }) => `/events/${event.id}/orders`,
    caller: 'customer',
    valid: ({ seats }) => ({ seatIds: seats.slice(2, 4), payment: { ...GOOD_CARD } }),
    validStatus: 201,
    headers: ({ marker }) => ({ 'idempotency-key': marker }),
    snapshot: purchaseState,
    needsEvent: true,
  },
} satisfies Record<string, BodyRoute>;

export type BodyRouteKey = keyof typeof BODY_ROUTES;

/** The caller's token and whatever else the route's valid request carries. */
export function requestHeaders(route: BodyRoute, s: Subject): Record<string, string> {
  return { ...headersFor(route.caller, s), ...route.headers?.(s) };
}
