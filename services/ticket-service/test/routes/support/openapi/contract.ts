// The implemented routes of API.md (relative to /api/v1), by the route module that
// registers them, and what the OpenAPI document must say of each.
import {
  adminAudit,
  adminCheckIn,
  adminEventExports,
  adminEventImage,
  adminEvents,
  adminOrders,
  adminUsers,
  adminWebhooks,
} from './admin-contract.ts';

export interface Spec {
  success: number;
  /** Other 2xx answers the route gives (e.g. 200 for an idempotent replay). */
  alsoSuccess?: number[];
  /** Answers 304 (no body) when If-None-Match names the current ETag. */
  notModified?: boolean;
  /** The success media type, when it is not application/json. */
  media?: string;
  /** Required body fields; a list of lists for a body that is one of several shapes. */
  body?: string[] | string[][];
  /** A raw (not JSON) request body: the media types it may have. */
  rawBody?: string[];
  path?: string[];
  query?: string[];
  /** Required request headers. */
  header?: string[];
  /** Optional request headers (Admission-Token: needed only on events with a waiting room). */
  optionalHeader?: string[];
  errors: number[];
  auth: boolean;
}

export type Specs = Record<string, Spec>;

const auth: Specs = {
  'POST /auth/signup': {
    success: 201,
    body: ['email', 'password', 'name'],
    errors: [400, 409, 413, 429],
    auth: false,
  },
  'POST /auth/login': {
    success: 200,
    body: ['email', 'password'],
    errors: [400, 401, 413, 429],
    auth: false,
  },
};

const me: Specs = {
  'GET /me': { success: 200, errors: [401], auth: true },
  'POST /me/password': {
    success: 204,
    body: ['currentPassword', 'newPassword'],
    errors: [400, 401, 413, 429],
    auth: true,
  },
};

const events: Specs = {
  'GET /events': { success: 200, query: ['limit', 'cursor'], errors: [400], auth: false },
  'GET /events/:eventId': { success: 200, path: ['eventId'], errors: [400, 404], auth: false },
  'GET /events/:eventId/seats': {
    success: 200,
    notModified: true,
    path: ['eventId'],
    errors: [400, 404],
    auth: false,
  },
};

const eventImage: Specs = {
  'GET /events/:eventId/image': {
    success: 200,
    notModified: true,
    media: 'image/webp',
    path: ['eventId'],
    query: ['v'],
    errors: [400, 404],
    auth: false,
  },
};

const stream: Specs = {
  'GET /events/:eventId/stream': {
    success: 200,
    media: 'text/event-stream',
    path: ['eventId'],
    errors: [400, 404, 503],
    auth: false,
  },
};

const holds: Specs = {
  'POST /events/:eventId/holds': {
    success: 201,
    body: [['seatIds'], ['quantity']],
    path: ['eventId'],
    optionalHeader: ['admission-token'],
    errors: [400, 401, 403, 404, 409, 413, 429],
    auth: true,
  },
  'GET /holds/:holdId': { success: 200, path: ['holdId'], errors: [400, 401, 404], auth: true },
  'DELETE /holds/:holdId': { success: 204, path: ['holdId'], errors: [400, 401, 404, 409], auth: true },
  'POST /holds/:holdId/order': {
    success: 201,
    alsoSuccess: [200],
    body: ['payment'],
    path: ['holdId'],
    header: ['idempotency-key'],
    errors: [400, 401, 402, 404, 409, 413, 429, 503],
    auth: true,
  },
};

const orders: Specs = {
  'POST /events/:eventId/orders': {
    success: 201,
    alsoSuccess: [200],
    body: [
      ['seatIds', 'payment'],
      ['quantity', 'payment'],
    ],
    path: ['eventId'],
    header: ['idempotency-key'],
    optionalHeader: ['admission-token'],
    errors: [400, 401, 402, 403, 404, 409, 413, 429, 503],
    auth: true,
  },
  'GET /orders': { success: 200, errors: [401], auth: true },
  'GET /orders/:orderId': { success: 200, path: ['orderId'], errors: [400, 401, 404], auth: true },
};

const queue: Specs = {
  'POST /events/:eventId/queue': { success: 200, path: ['eventId'], errors: [400, 401, 404], auth: true },
  'GET /events/:eventId/queue': { success: 200, path: ['eventId'], errors: [400, 401, 404], auth: true },
};

/** By the file in src/routes that registers them. */
export const CONTRACT_BY_MODULE = {
  auth,
  me,
  events,
  eventImage,
  stream,
  holds,
  orders,
  queue,
  adminEvents,
  adminEventImage,
  adminEventExports,
  adminCheckIn,
  adminOrders,
  adminWebhooks,
  adminAudit,
  adminUsers,
};

export const CONTRACT: Specs = Object.assign({}, ...Object.values(CONTRACT_BY_MODULE));
