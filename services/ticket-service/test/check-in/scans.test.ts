// Scanning at the door: one admission per ticket however many doors scan it at once on
// two replicas; forged, foreign and cancelled codes are refused.
import { randomUUID } from 'node:crypto';
import { bearer, createEvent } from '@tickets/testkit/app';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createTicketCodes, ticketCodeKey } from '../../src/domain/tickets/ticket-code.ts';
import {
  API,
  admin,
  checkIn,
  doorA,
  doorB,
  expectProblem,
  sold,
  staff,
  type Ticket,
  useTwoDoors,
} from './support.ts';

useTwoDoors();

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
