// What the OpenAPI document must say of the admin routes (src/routes/admin/), by the
// file that registers them.
import type { Specs } from './contract.ts';

export const adminEvents: Specs = {
  'POST /admin/events': {
    success: 201,
    body: ['title', 'venue', 'startsAt', 'currency', 'layout'],
    errors: [400, 401, 403, 413],
    auth: true,
  },
  'PATCH /admin/events/:eventId': {
    success: 200,
    // status, salesStartAt, waitingRoom: any of them, at least one.
    body: [],
    path: ['eventId'],
    errors: [400, 401, 403, 404, 413],
    auth: true,
  },
  'GET /admin/events': { success: 200, errors: [401, 403], auth: true },
  'GET /admin/events/:eventId/orders': {
    success: 200,
    path: ['eventId'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
};

export const adminEventImage: Specs = {
  'PUT /admin/events/:eventId/image': {
    success: 200,
    rawBody: ['image/jpeg', 'image/png', 'image/webp'],
    path: ['eventId'],
    errors: [400, 401, 403, 404, 413, 415],
    auth: true,
  },
  'DELETE /admin/events/:eventId/image': {
    success: 204,
    path: ['eventId'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
};

export const adminEventExports: Specs = {
  'GET /admin/events/:eventId/orders.csv': {
    success: 200,
    media: 'text/csv',
    path: ['eventId'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
};

export const adminCheckIn: Specs = {
  'POST /admin/events/:eventId/check-in': {
    success: 200,
    body: ['code'],
    path: ['eventId'],
    errors: [400, 401, 403, 404, 409, 413],
    auth: true,
  },
};

export const adminOrders: Specs = {
  'POST /admin/orders/:orderId/cancel': {
    success: 200,
    path: ['orderId'],
    errors: [400, 401, 403, 404, 409, 503],
    auth: true,
  },
};

export const adminWebhooks: Specs = {
  'POST /admin/webhooks': {
    success: 201,
    body: ['url', 'events'],
    errors: [400, 401, 403, 413],
    auth: true,
  },
  'GET /admin/webhooks': { success: 200, errors: [401, 403], auth: true },
  'DELETE /admin/webhooks/:webhookId': {
    success: 204,
    path: ['webhookId'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
  'GET /admin/webhooks/:webhookId/deliveries': {
    success: 200,
    path: ['webhookId'],
    query: ['limit'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
};

export const adminAudit: Specs = {
  'GET /admin/audit': { success: 200, query: ['limit', 'before'], errors: [400, 401, 403], auth: true },
};

export const adminUsers: Specs = {
  'POST /admin/users': {
    success: 201,
    body: ['email', 'password', 'name', 'role'],
    errors: [400, 401, 403, 409, 413],
    auth: true,
  },
};
