// Each bad request gets its own subject (a marker, and a fresh event, hold or user where
// the route changes one) and a snapshot of what the request must leave as it was, read
// straight from the database.
import { randomUUID } from 'node:crypto';
import { bearer, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { hold as holdSeats, seatsOf } from '@tickets/testkit/purchase';
import { admin, app, customer } from './app.ts';

export interface Subject {
  marker: string;
  event: { id: string };
  /** The event's seat ids (when the route needs an event). */
  seats: string[];
  /** An active hold of the customer's on two of the event's seats (when the route needs one). */
  hold: { id: string };
  user: TestUser;
}

/** What a route needs made before a request to it. */
export interface Needs {
  needsEvent?: boolean;
  /** Implies an event: the customer holds two of its seats. */
  needsHold?: boolean;
  needsUser?: boolean;
}

/** What must stay the same. */
export type Snapshot = (s: Subject) => Promise<unknown>;

export const usersMarked: Snapshot = async ({ marker }) =>
  app.db.user.count({
    where: { OR: [{ email: { contains: marker } }, { name: { contains: marker } }] },
  });
export const eventsMarked: Snapshot = async ({ marker }) =>
  app.db.event.count({
    where: {
      OR: [
        { title: { contains: marker } },
        { venue: { contains: marker } },
        { description: { contains: marker } },
      ],
    },
  });
export const loginsMarked: Snapshot = async ({ marker }) =>
  app.db.auditEntry.count({
    where: { OR: [{ subject: { contains: marker } }, { actor: { contains: marker } }] },
  });
export const userRow: Snapshot = async ({ user }) =>
  app.db.user.findUniqueOrThrow({
    where: { id: user.id },
    select: { passwordHash: true, tokenVersion: true },
  });
export const eventRow = async ({ event }: Pick<Subject, 'event'>) => ({
  event: await app.db.event.findUniqueOrThrow({
    where: { id: event.id },
    select: { status: true, seatVersion: true, title: true },
  }),
  audit: await app.db.auditEntry.count({ where: { subject: `event:${event.id}` } }),
});

/** Everything a purchase can change for the subject's event, plus the keys used with its marker. */
export const purchaseState = async ({ event, marker }: Pick<Subject, 'event' | 'marker'>) => {
  const db = app.db;
  const [row, seats, holds, orders, tickets, keys] = await Promise.all([
    db.event.findUniqueOrThrow({ where: { id: event.id }, select: { seatVersion: true } }),
    db.seat.findMany({
      where: { eventId: event.id },
      select: { id: true, status: true, holdId: true, orderId: true },
      orderBy: { id: 'asc' },
    }),
    db.hold.findMany({
      where: { eventId: event.id },
      select: { id: true, status: true },
      orderBy: { id: 'asc' },
    }),
    db.order.count({ where: { eventId: event.id } }),
    db.ticket.count({ where: { eventId: event.id } }),
    db.idempotencyRecord.count({ where: { key: marker } }),
  ]);
  return { version: row.seatVersion, seats, holds, orders, tickets, keys };
};

/** A user's holds, orders and idempotency keys, for requests that never reach an event. */
export const purchasesOf = async (user: TestUser) => ({
  holds: await app.db.hold.count({ where: { userId: user.id } }),
  orders: await app.db.order.count({ where: { userId: user.id } }),
  keys: await app.db.idempotencyRecord.count({ where: { userId: user.id } }),
});

export async function subjectFor(route: Needs): Promise<Subject> {
  const event = route.needsEvent || route.needsHold ? await createEvent(app, admin) : { id: '' };
  const seats = event.id ? (await seatsOf(app, event.id)).seats.map((s) => s.id) : [];
  let hold = { id: '' };
  if (route.needsHold) {
    const res = await holdSeats(app, customer, event.id, { seatIds: seats.slice(0, 2) });
    if (res.statusCode !== 201) throw new Error(`hold failed: ${res.statusCode} ${res.body}`);
    hold = { id: res.json().id };
  }
  return {
    marker: `m${randomUUID().replaceAll('-', '')}`,
    event,
    seats,
    hold,
    user: route.needsUser ? await signup(app, 'subject') : customer,
  };
}

export type Caller = 'anonymous' | 'customer' | 'admin' | 'subject';

export function headersFor(caller: Caller, s: Subject): Record<string, string> {
  if (caller === 'admin') return bearer(admin);
  if (caller === 'customer') return bearer(customer);
  if (caller === 'subject') return bearer(s.user);
  return {};
}
