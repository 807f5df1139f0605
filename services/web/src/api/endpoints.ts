// One function per endpoint of the contract, typed by it.
import type { ChangePasswordBody, CreateUserBody, LoginBody, SignupBody } from '@tickets/contract/accounts';
import type { AuditPage } from '@tickets/contract/audit';
import type { EventImage } from '@tickets/contract/event-image';
import type { CreateEventBody, EventList, EventStatus } from '@tickets/contract/events';
import { PAGE_SIZE } from '@tickets/contract/limits';
import type { OrderHoldBody, SeatSelection } from '@tickets/contract/purchase';
import type { CheckInBody } from '@tickets/contract/tickets';
import type { CreateWebhookBody, WebhookDelivery } from '@tickets/contract/webhooks';
import { api } from './client.ts';
import type {
  AdminEvent,
  AdminOrder,
  AuthResult,
  CheckIn,
  CreatedWebhook,
  Hold,
  Order,
  Page,
  QueueState,
  SeatMap,
  TicketEvent,
  User,
  WebhookListItem,
} from './types.ts';

const enc = encodeURIComponent;

export const signup = (body: SignupBody) =>
  api<AuthResult>('/auth/signup', { method: 'POST', body, auth: false });

export const login = (body: LoginBody) =>
  api<AuthResult>('/auth/login', { method: 'POST', body, auth: false });

export const changePassword = (body: ChangePasswordBody) =>
  api<void>('/me/password', { method: 'POST', body });

export const listEvents = (cursor?: string, signal?: AbortSignal) =>
  api<EventList>(`/events?limit=${PAGE_SIZE.events.default}${cursor ? `&cursor=${enc(cursor)}` : ''}`, {
    signal,
    auth: false,
  });

export const getEvent = (id: string, signal?: AbortSignal) =>
  api<TicketEvent>(`/events/${enc(id)}`, { signal, auth: false });

export const getSeats = (id: string, signal?: AbortSignal) =>
  api<SeatMap>(`/events/${enc(id)}/seats`, { signal, auth: false });

export const streamUrl = (id: string) => `/api/v1/events/${enc(id)}/stream`;

/** On an event with a waiting room, `admissionToken` is the one its queue gave. */
export const createHold = (eventId: string, body: SeatSelection, admissionToken?: string) =>
  api<Hold>(`/events/${enc(eventId)}/holds`, {
    method: 'POST',
    body,
    headers: admissionToken ? { 'admission-token': admissionToken } : {},
  });

/** Idempotent: joining again keeps the place (or, once the admission ran out, queues anew). */
export const joinQueue = (eventId: string, signal?: AbortSignal) =>
  api<QueueState>(`/events/${enc(eventId)}/queue`, { method: 'POST', signal });

export const getQueue = (eventId: string, signal?: AbortSignal) =>
  api<QueueState>(`/events/${enc(eventId)}/queue`, { signal });

export const getHold = (id: string, signal?: AbortSignal) => api<Hold>(`/holds/${enc(id)}`, { signal });

export const releaseHold = (id: string) => api<void>(`/holds/${enc(id)}`, { method: 'DELETE' });

export const orderHold = (holdId: string, card: string, idempotencyKey: string) =>
  api<Order>(`/holds/${enc(holdId)}/order`, {
    method: 'POST',
    body: { payment: { method: 'test', card } } satisfies OrderHoldBody,
    headers: { 'idempotency-key': idempotencyKey },
  });

export const listOrders = (signal?: AbortSignal) => api<Page<Order>>('/orders', { signal });

export const getOrder = (id: string, signal?: AbortSignal) => api<Order>(`/orders/${enc(id)}`, { signal });

export const adminEvents = (signal?: AbortSignal) => api<Page<AdminEvent>>('/admin/events', { signal });

export const createEvent = (body: CreateEventBody) =>
  api<TicketEvent>('/admin/events', { method: 'POST', body });

export const setEventStatus = (id: string, status: EventStatus) =>
  api<TicketEvent>(`/admin/events/${enc(id)}`, { method: 'PATCH', body: { status } });

export const eventOrders = (id: string, signal?: AbortSignal) =>
  api<Page<AdminOrder>>(`/admin/events/${enc(id)}/orders`, { signal });

/** Sends the file as it is; the API judges it by its bytes and answers the new imageUrl. */
export const setEventImage = (id: string, file: Blob) =>
  api<EventImage>(`/admin/events/${enc(id)}/image`, { method: 'PUT', body: file });

export const removeEventImage = (id: string) =>
  api<void>(`/admin/events/${enc(id)}/image`, { method: 'DELETE' });

/** Every order and ticket of the event as CSV (needs the session's token, so fetched, not linked). */
export const ordersCsv = (id: string) => api<Blob>(`/admin/events/${enc(id)}/orders.csv`, { blob: true });

export const auditLog = (opts: { limit?: number; before?: string }, signal?: AbortSignal) => {
  const q = new URLSearchParams({ limit: String(opts.limit ?? PAGE_SIZE.audit.default) });
  if (opts.before) q.set('before', opts.before);
  return api<AuditPage>(`/admin/audit?${q}`, { signal });
};

/** Admits a ticket at the door (admins and staff). */
export const checkIn = (eventId: string, code: string) =>
  api<CheckIn>(`/admin/events/${enc(eventId)}/check-in`, {
    method: 'POST',
    body: { code } satisfies CheckInBody,
  });

/** Idempotent: an order already cancelled is answered as it is. */
export const cancelOrder = (id: string) =>
  api<AdminOrder>(`/admin/orders/${enc(id)}/cancel`, { method: 'POST' });

export const listWebhooks = (signal?: AbortSignal) =>
  api<Page<WebhookListItem>>('/admin/webhooks', { signal });

export const createWebhook = (body: CreateWebhookBody) =>
  api<CreatedWebhook>('/admin/webhooks', { method: 'POST', body });

export const deleteWebhook = (id: string) => api<void>(`/admin/webhooks/${enc(id)}`, { method: 'DELETE' });

export const webhookDeliveries = (id: string, signal?: AbortSignal) =>
  api<Page<WebhookDelivery>>(`/admin/webhooks/${enc(id)}/deliveries?limit=50`, { signal });

export const createUser = (body: CreateUserBody) => api<User>('/admin/users', { method: 'POST', body });
