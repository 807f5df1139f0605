// The shapes of the public API (the OpenAPI document every replica serves at /api/v1/openapi.json).

/** staff: door accounts, which may check tickets in (and do what customers may). */
export type Role = 'customer' | 'admin' | 'staff';
export type SeatStatus = 'available' | 'held' | 'sold';
export type EventStatus = 'on_sale' | 'closed';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface AuthResult {
  token: string;
  user: User;
}

export interface TicketEvent {
  id: string;
  title: string;
  description: string;
  venue: string;
  startsAt: string;
  currency: string;
  status: EventStatus;
  seatCount: number;
  availableCount: number;
  minPriceCents: number;
  maxPriceCents: number;
  /** Holds and orders are refused before this time (SALES_NOT_OPEN); null: open. */
  salesStartAt: string | null;
  /** null: the event never had one. */
  waitingRoom: WaitingRoom | null;
  /** Tickets plus seats on hold one customer may have for the event (409 LIMIT_EXCEEDED beyond). */
  maxTicketsPerCustomer: number;
  /** The event's image (changes with it); null: none. */
  imageUrl: string | null;
}

export interface WaitingRoom {
  enabled: boolean;
  admitPerMinute: number;
}

/** GET/POST /events/:id/queue. */
export type QueueState =
  | {
      state: 'waiting';
      position: number;
      estimatedWaitSeconds: number;
      /** Before the opening: the order is drawn at random then. */
      provisional: boolean;
    }
  | { state: 'admitted'; admissionToken: string; expiresAt: string }
  | { state: 'expired'; expiredAt: string };

export interface Sales {
  soldCount: number;
  heldCount: number;
  availableCount: number;
  orderCount: number;
  revenueCents: number;
}

export type AdminEvent = TicketEvent & { sales: Sales };

export interface Seat {
  id: string;
  section: string;
  row: number;
  number: number;
  label: string;
  priceCents: number;
  status: SeatStatus;
}

export interface SeatMap {
  eventId: string;
  version: number;
  seats: Seat[];
}

/** One message of GET /events/:id/stream (`event: seats`). */
export interface SeatChanges {
  version: number;
  changes: { id: string; status: SeatStatus }[];
}

export interface Hold {
  id: string;
  eventId: string;
  seats: Seat[];
  totalCents: number;
  currency: string;
  expiresAt: string;
  status?: 'active' | 'ordered' | 'released' | 'expired';
}

export interface Order {
  id: string;
  eventId: string;
  eventTitle: string;
  seats: { id: string; label: string; priceCents: number }[];
  /** On reads of orders (not on a purchase's own answer); `code` is what the QR code says. */
  tickets?: OrderTicket[];
  totalCents: number;
  currency: string;
  /** cancelled: by an admin; its seats went back on sale and the payment is refunded. */
  status: 'confirmed' | 'cancelled';
  createdAt: string;
  cancelledAt?: string;
}

export type WebhookEventName = 'order.confirmed' | 'order.cancelled' | 'event.sold_out';

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEventName[];
  createdAt: string;
  pendingCount?: number;
  failedCount?: number;
  /** Only in the answer that created it. */
  secret?: string;
}

export interface WebhookDelivery {
  id: string;
  eventType: WebhookEventName;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  payload: Record<string, unknown>;
  attemptLog: { at: string; replica: string; status: number | null; error: string | null; ms: number }[];
}

export type AdminOrder = Order & { userEmail: string };

export interface OrderTicket {
  id: string;
  seatId: string;
  label: string;
  code?: string;
  checkedInAt: string | null;
}

/** POST /admin/events/:eventId/check-in: 200. */
export interface CheckIn {
  ticket: { id: string; orderId: string; eventId: string; priceCents: number };
  seat: { id: string; section: string; row: number; number: number; label: string };
  checkedInAt: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  replica: string;
  actor: string;
  action: string;
  subject: string;
  detail: Record<string, unknown>;
}

export interface Page<T> {
  items: T[];
}

export interface SectionLayout {
  name: string;
  rows: number;
  seatsPerRow: number;
  priceCents: number;
}

export interface NewEvent {
  title: string;
  description: string;
  venue: string;
  startsAt: string;
  currency: string;
  salesStartAt?: string;
  waitingRoom?: WaitingRoom;
  /** 1–100; the API's default is 10. */
  maxTicketsPerCustomer?: number;
  layout: { sections: SectionLayout[] };
}

/** RFC 9457 problem details as the API sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: { path?: string; message?: string; field?: string }[];
  unavailable?: string[];
  /** ADMISSION_REQUIRED: why the token was refused. */
  reason?: 'missing' | 'invalid' | 'expired';
  /** LIMIT_EXCEEDED: how many more tickets this customer may still get, under the event's limit. */
  remaining?: number;
  maxTicketsPerCustomer?: number;
  /** ALREADY_CHECKED_IN: when the ticket was admitted first. */
  checkedInAt?: string;
  /** ALREADY_CHECKED_IN, TICKET_CANCELLED: the ticket's seat. */
  seat?: CheckIn['seat'];
}
