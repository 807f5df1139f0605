// Ticket codes (src/domain/tickets/ticket-code.ts): signed, only for the ticket's owner
// and admins, never on the purchase path, and signed with their own key when one is set.
import { randomUUID } from 'node:crypto';
import { bearer, createEvent, signup, testConfig } from '@tickets/testkit/app';
import { buyNow } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { createTicketCodes, ticketCodeKey } from '../../src/domain/tickets/ticket-code.ts';
import { API, admin, doorA, doorB, expectProblem, sold, staff, type Ticket, useTwoDoors } from './support.ts';

useTwoDoors();

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
