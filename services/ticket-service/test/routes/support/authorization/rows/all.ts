// Every row of the matrix, for the checks that it covers each route exactly once.
import { ADMIN_AUDIT_ROWS } from './admin/audit.ts';
import { ADMIN_CHECK_IN_ROWS } from './admin/check-in.ts';
import { ADMIN_EVENT_EXPORTS_ROWS } from './admin/event-exports.ts';
import { ADMIN_EVENT_IMAGE_ROWS } from './admin/event-image.ts';
import { ADMIN_EVENTS_ROWS } from './admin/events.ts';
import { ADMIN_ORDERS_ROWS } from './admin/orders.ts';
import { ADMIN_USERS_ROWS } from './admin/users.ts';
import { ADMIN_WEBHOOKS_ROWS } from './admin/webhooks.ts';
import { AUTH_ROWS } from './auth.ts';
import { DOCS_ROWS } from './docs.ts';
import { EVENT_IMAGE_ROWS } from './event-image.ts';
import { EVENTS_ROWS } from './events.ts';
import { HOLDS_ROWS } from './holds.ts';
import { ME_ROWS } from './me.ts';
import { ORDERS_ROWS } from './orders.ts';
import { QUEUE_ROWS } from './queue.ts';
import { STREAM_ROWS } from './stream.ts';

export const MATRIX = [
  ...AUTH_ROWS,
  ...ME_ROWS,
  ...EVENTS_ROWS,
  ...EVENT_IMAGE_ROWS,
  ...ADMIN_EVENTS_ROWS,
  ...ADMIN_AUDIT_ROWS,
  ...ADMIN_USERS_ROWS,
  ...ADMIN_EVENT_IMAGE_ROWS,
  ...ADMIN_EVENT_EXPORTS_ROWS,
  ...ADMIN_ORDERS_ROWS,
  ...ADMIN_WEBHOOKS_ROWS,
  ...ADMIN_CHECK_IN_ROWS,
  ...HOLDS_ROWS,
  ...ORDERS_ROWS,
  ...QUEUE_ROWS,
  ...STREAM_ROWS,
  ...DOCS_ROWS,
];
