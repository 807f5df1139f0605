// Who may check in: staff and admins; staff may do nothing else an admin may.
import { bearer, eventBody, signup, uniqueEmail } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { API, checkIn, doorA, expectProblem, sold, staff, type Ticket, useTwoDoors } from './support.ts';

useTwoDoors();

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
