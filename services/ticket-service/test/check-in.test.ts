// Signed tickets and check-in at the door (README, "Tickets at the door"): codes
// only for the ticket's owner and admins; one admission per ticket however many
// doors scan it at once on two replicas; forged and foreign codes are unknown;
// staff may check in and nothing an admin may otherwise.
import { randomUUID } from 'node:crypto';
import {
  bearer,
  buildTestApp,
  createAdmin,
  createEvent,
  eventBody,
  signup,
  type TestUser,
  testConfig,
  uniqueEmail,
} from '@tickets/testkit/app';
import { buyNow } from '@tickets/testkit/purchase';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTicketCodes, ticketCodeKey } from '../src/domain/tickets/ticket-code.ts';

const API = '/api/v1';
// Two replicas of one cluster: the same database, Redis and secrets.
let doorA: FastifyInstance;
let doorB: FastifyInstance;
let admin: TestUser;
let staff: TestUser;

interface Ticket {
  id: string;
  seatId: string;
  label: string;
  code: string;
  checkedInAt: string | null;
}

beforeAll(async () => {
  [doorA, doorB] = await Promise.all([
    buildTestApp({ replicaId: 'door-a' }),
    buildTestApp({ replicaId: 'door-b' }),
  ]);
  admin = await createAdmin(doorA);
  staff = await createUserAs(admin, 'staff');
});
afterAll(async () => {
  await Promise.all([doorA?.close(), doorB?.close()]);
});

/** A user made by an admin through POST /admin/users, logged in. */
async function createUserAs(by: TestUser, role: 'staff' | 'admin' | 'customer'): Promise<TestUser> {
  const email = uniqueEmail(role);
  const password = 'a door password';
  const made = await doorA.inject({
    method: 'POST',
    url: `${API}/admin/users`,
    headers: bearer(by),
    payload: { email, password, name: `The ${role}`, role },
  });
  expect(made.statusCode, made.body).toBe(201);
  expect(made.json().role).toBe(role);
  const login = await doorA.inject({
    method: 'POST',
    url: `${API}/auth/login`,
    payload: { email, password },
  });
  expect(login.statusCode, login.body).toBe(200);
  return { id: made.json().id, email, password, token: login.json().token };
}

/** A fresh event and an order of `quantity` seats by a fresh customer, with its tickets as read back. */
async function sold(quantity = 2) {
  const event = await createEvent(doorA, admin);
  const buyer = await signup(doorA, 'door-buyer');
  const bought = await buyNow(doorA, buyer, event.id, { quantity });
  expect(bought.statusCode, bought.body).toBe(201);
  const orderId = bought.json().id as string;
  const read = await doorA.inject({ method: 'GET', url: `${API}/orders/${orderId}`, headers: bearer(buyer) });
  expect(read.statusCode, read.body).toBe(200);
  return { event, buyer, orderId, tickets: read.json().tickets as Ticket[] };
}

function checkIn(door: FastifyInstance, who: TestUser | null, eventId: string, code: unknown) {
  return door.inject({
    method: 'POST',
    url: `${API}/admin/events/${eventId}/check-in`,
    headers: who ? bearer(who) : {},
    payload: { code },
  });
}

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ status, code });
}

describe('ticket codes', () => {
  it('when the owner reads the order, then each ticket has a signed code of 128-bit MAC, different per ticket', async () => {
    const { tickets, orderId } = await sold(3);
    expect(tickets).toHaveLength(3);
    for (const t of tickets) {
      expect(t.code).toMatch(/^t1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
      expect(t.checkedInAt).toBeNull();
      // The code names the ticket, not the seat (which anyone who saw the map knows).
      expect(doorA.ticketCodes.verify(t.code)).toBe(t.id);
      expect(t.code).not.toContain(t.seatId);
    }
    expect(new Set(tickets.map((t) => t.code)).size).toBe(3);
    // Every replica derives the same code: nothing is stored.
    expect(tickets.map((t) => doorB.ticketCodes.sign(t.id))).toEqual(tickets.map((t) => t.code));
    const row = await doorA.db.order.findUniqueOrThrow({
      where: { id: orderId },
      include: { tickets: true },
    });
    expect(row.tickets.map((t) => t.id).sort()).toEqual(tickets.map((t) => t.id).sort());
  });

  it('when the owner lists their orders, and an admin reads the order or the event orders, then they see the same codes', async () => {
    const { event, buyer, orderId, tickets } = await sold(2);
    const codes = tickets.map((t) => t.code).sort();
    const list = await doorB.inject({ method: 'GET', url: `${API}/orders`, headers: bearer(buyer) });
    expect(
      list
        .json()
        .items[0].tickets.map((t: Ticket) => t.code)
        .sort(),
    ).toEqual(codes);
    const byAdmin = await doorB.inject({
      method: 'GET',
      url: `${API}/orders/${orderId}`,
      headers: bearer(admin),
    });
    expect(
      byAdmin
        .json()
        .tickets.map((t: Ticket) => t.code)
        .sort(),
    ).toEqual(codes);
    const eventOrders = await doorB.inject({
      method: 'GET',
      url: `${API}/admin/events/${event.id}/orders`,
      headers: bearer(admin),
    });
    expect(
      eventOrders
        .json()
        .items[0].tickets.map((t: Ticket) => t.code)
        .sort(),
    ).toEqual(codes);
  });

  it('when another customer or a staff member asks for the order, then 404 and no code appears', async () => {
    const { buyer, orderId, tickets } = await sold(1);
    const other = await signup(doorA, 'nosy');
    for (const who of [other, staff]) {
      const one = await doorA.inject({
        method: 'GET',
        url: `${API}/orders/${orderId}`,
        headers: bearer(who),
      });
      expectProblem(one, 404, 'NOT_FOUND');
      expect(one.body).not.toContain((tickets[0] as Ticket).code);
      const list = await doorA.inject({ method: 'GET', url: `${API}/orders`, headers: bearer(who) });
      expect(list.statusCode).toBe(200);
      expect(list.body).not.toContain((tickets[0] as Ticket).code);
    }
    // The owner still does.
    const own = await doorA.inject({
      method: 'GET',
      url: `${API}/orders/${orderId}`,
      headers: bearer(buyer),
    });
    expect(own.json().tickets[0].code).toBe((tickets[0] as Ticket).code);
  });

  it('when a purchase is answered, first or replayed, then it carries no tickets (no work on the purchase path)', async () => {
    const event = await createEvent(doorA, admin);
    const buyer = await signup(doorA, 'fresh');
    const key = randomUUID();
    const first = await buyNow(doorA, buyer, event.id, { quantity: 1 }, key);
    expect(first.statusCode).toBe(201);
    expect(first.json().tickets).toBeUndefined();
    const replay = await buyNow(doorA, buyer, event.id, { quantity: 1 }, key);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(first.json());
  });
});

describe('check-in', () => {
  it('when the same code is scanned at once at four doors on two replicas, then exactly one 200 and 409 ALREADY_CHECKED_IN with its time for the rest', async () => {
    const { event, tickets } = await sold(4);
    for (const ticket of tickets) {
      const answers = await Promise.all([
        checkIn(doorA, staff, event.id, ticket.code),
        checkIn(doorB, admin, event.id, ticket.code),
        checkIn(doorA, admin, event.id, ticket.code),
        checkIn(doorB, staff, event.id, ticket.code),
      ]);
      const statuses = answers.map((r) => r.statusCode).sort();
      expect(statuses, answers.map((r) => r.body).join('\n')).toEqual([200, 409, 409, 409]);
      const ok = answers.find((r) => r.statusCode === 200) as LightMyRequestResponse;
      expect(ok.json()).toMatchObject({
        ticket: { id: ticket.id, eventId: event.id },
        seat: { id: ticket.seatId, label: ticket.label },
      });
      const at = ok.json().checkedInAt as string;
      for (const refused of answers.filter((r) => r.statusCode === 409)) {
        expectProblem(refused, 409, 'ALREADY_CHECKED_IN');
        expect(refused.json().checkedInAt).toBe(at);
        expect(refused.json().seat.label).toBe(ticket.label);
      }
      const row = await doorA.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
      expect(row.checkedInAt?.toISOString()).toBe(at);
      expect([admin.id, staff.id]).toContain(row.checkedInBy);
      // The operation log has the one admission, by whoever got the 200.
      const log = await doorA.db.auditEntry.findMany({
        where: { subject: `ticket:${ticket.id}`, action: 'ticket.check_in' },
      });
      expect(log).toHaveLength(1);
      expect(log[0]?.actorId).toBe(row.checkedInBy);
      expect(['door-a', 'door-b']).toContain(log[0]?.replica);
    }
    // The owner's order now shows when each ticket came in.
    const [first] = tickets as [Ticket];
    const again = await checkIn(doorB, staff, event.id, first.code);
    expectProblem(again, 409, 'ALREADY_CHECKED_IN');
  });

  it('when a code is forged, altered, signed with another key, a seat or ticket id, or empty, then 404 and nothing is checked in', async () => {
    const { event, tickets } = await sold(1);
    const ticket = tickets[0] as Ticket;
    const [, idPart, macPart] = ticket.code.split('.') as [string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const otherKey = createTicketCodes(ticketCodeKey('another secret, not this cluster'));
    const forged = [
      `t1.${idPart}.${flip(macPart)}`, // the MAC altered
      `t1.${flip(idPart)}.${macPart}`, // another ticket id under this MAC
      `t1.${idPart}.${'A'.repeat(22)}`,
      otherKey.sign(ticket.id),
      doorA.ticketCodes.sign(randomUUID()), // genuine form, no such ticket
      ticket.seatId, // what the QR code used to say
      ticket.id,
      `${ticket.code}x`,
      ` t2.${idPart}.${macPart}`,
      'x',
    ];
    for (const code of forged) {
      expectProblem(await checkIn(doorA, staff, event.id, code), 404, 'NOT_FOUND');
    }
    expectProblem(await checkIn(doorA, staff, event.id, ''), 400, 'VALIDATION_FAILED');
    const noCode = await doorA.inject({
      method: 'POST',
      url: `${API}/admin/events/${event.id}/check-in`,
      headers: bearer(staff),
      payload: {},
    });
    expectProblem(noCode, 400, 'VALIDATION_FAILED');
    expect((await doorA.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).checkedInAt).toBeNull();
    // The genuine code still works (and a QR scanner's surrounding whitespace is forgiven).
    expect((await checkIn(doorA, staff, event.id, ` ${ticket.code}\n`)).statusCode).toBe(200);
  });

  it("when a code of another event is scanned, then 404 NOT_FOUND, and the ticket can still be admitted at its own event's door", async () => {
    const { event, tickets } = await sold(1);
    const ticket = tickets[0] as Ticket;
    const elsewhere = await createEvent(doorA, admin);
    expectProblem(await checkIn(doorB, staff, elsewhere.id, ticket.code), 404, 'NOT_FOUND');
    expectProblem(await checkIn(doorB, staff, randomUUID(), ticket.code), 404, 'NOT_FOUND');
    expect((await checkIn(doorB, staff, event.id, ticket.code)).statusCode).toBe(200);
  });

  it('when the order of a ticket is cancelled, then its code is refused with 409 TICKET_CANCELLED', async () => {
    const { event, orderId, tickets } = await sold(1);
    const ticket = tickets[0] as Ticket;
    // The cancellation itself is another feature (POST /admin/orders/:id/cancel); its
    // effect on the order row is what the door reads.
    await doorA.db.$executeRaw`UPDATE orders SET status = 'cancelled' WHERE id = ${orderId}::uuid`;
    const res = await checkIn(doorA, staff, event.id, ticket.code);
    expectProblem(res, 409, 'TICKET_CANCELLED');
    expect(res.json().seat.label).toBe(ticket.label);
    expect((await doorA.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).checkedInAt).toBeNull();
  });
});

describe('who may check in', () => {
  it('when a customer or nobody scans a code, then 403 / 401 and nothing is checked in', async () => {
    const { event, buyer, tickets } = await sold(1);
    const ticket = tickets[0] as Ticket;
    // Not even the ticket's own owner.
    expectProblem(await checkIn(doorA, buyer, event.id, ticket.code), 403, 'FORBIDDEN');
    expectProblem(await checkIn(doorA, null, event.id, ticket.code), 401, 'UNAUTHENTICATED');
    expect((await doorA.db.ticket.findUniqueOrThrow({ where: { id: ticket.id } })).checkedInAt).toBeNull();
  });

  it('when staff call any other admin route, then 403 FORBIDDEN and nothing changes', async () => {
    const { event, orderId } = await sold(1);
    const calls: { method: 'GET' | 'POST' | 'PATCH'; url: string; payload?: object }[] = [
      { method: 'GET', url: '/admin/events' },
      { method: 'GET', url: `/admin/events/${event.id}/orders` },
      { method: 'GET', url: '/admin/audit?limit=5' },
      { method: 'POST', url: '/admin/events', payload: eventBody() },
      { method: 'PATCH', url: `/admin/events/${event.id}`, payload: { status: 'closed' } },
      {
        method: 'POST',
        url: '/admin/users',
        payload: { email: uniqueEmail('by-staff'), password: 'long enough pw', name: 'X', role: 'admin' },
      },
    ];
    for (const call of calls) {
      const res = await doorA.inject({ ...call, url: `${API}${call.url}`, headers: bearer(staff) });
      expectProblem(res, 403, 'FORBIDDEN');
    }
    expect((await doorA.db.event.findUniqueOrThrow({ where: { id: event.id } })).status).toBe('on_sale');
    // An admin reads anyone's order; staff read only their own.
    expectProblem(
      await doorA.inject({ method: 'GET', url: `${API}/orders/${orderId}`, headers: bearer(staff) }),
      404,
      'NOT_FOUND',
    );
    const me = await doorA.inject({ method: 'GET', url: `${API}/me`, headers: bearer(staff) });
    expect(me.json()).toMatchObject({ id: staff.id, role: 'staff' });
  });

  it('when a customer signs up asking for the staff role, then it is refused; only an admin makes staff', async () => {
    const res = await doorA.inject({
      method: 'POST',
      url: `${API}/auth/signup`,
      payload: { email: uniqueEmail('wannabe'), password: 'long enough pw', name: 'W', role: 'staff' },
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
    const customer = await signup(doorA, 'climber');
    const made = await doorA.inject({
      method: 'POST',
      url: `${API}/admin/users`,
      headers: bearer(customer),
      payload: { email: uniqueEmail('x'), password: 'long enough pw', name: 'X', role: 'staff' },
    });
    expectProblem(made, 403, 'FORBIDDEN');
    const log = await doorA.db.auditEntry.findFirst({
      where: { action: 'user.create', subject: `user:${staff.id}` },
    });
    expect(log?.detail).toMatchObject({ role: 'staff' });
  });
});

describe('the key', () => {
  it('when TICKET_CODE_SECRET is set, then codes come from it, not from JWT_SECRET', () => {
    const id = randomUUID();
    const fromJwt = createTicketCodes(ticketCodeKey(testConfig().jwtSecret));
    expect(fromJwt.sign(id)).toBe(doorA.ticketCodes.sign(id));
    const own = createTicketCodes(ticketCodeKey('a separate ticket code secret 0123456789'));
    expect(own.sign(id)).not.toBe(fromJwt.sign(id));
    expect(own.verify(fromJwt.sign(id))).toBeUndefined();
    expect(own.verify(own.sign(id))).toBe(id);
  });
});
