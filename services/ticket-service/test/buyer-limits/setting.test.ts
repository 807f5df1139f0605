// The limit as a setting of the event: its default, what admins set, and what is refused.
import { bearer, createEvent, eventBody } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { a, admin, b, hall, patch, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('the setting', () => {
  it('when an event is created without a limit, then it is 10, shown to the public and to admins', async () => {
    const event = await createEvent(a, admin, hall());
    expect((event as { maxTicketsPerCustomer?: number }).maxTicketsPerCustomer).toBe(10);
    const shown = await b.inject({ method: 'GET', url: `/api/v1/events/${event.id}` });
    expect(shown.json().maxTicketsPerCustomer).toBe(10);
    const listed = await a.inject({ method: 'GET', url: '/api/v1/admin/events', headers: bearer(admin) });
    const item = listed.json().items.find((e: { id: string }) => e.id === event.id);
    expect(item.maxTicketsPerCustomer).toBe(10);
  });

  it('when an admin sets it on create and changes it with PATCH, then the event shows it and the log says so', async () => {
    const event = await createEvent(a, admin, hall(4));
    expect((event as { maxTicketsPerCustomer?: number }).maxTicketsPerCustomer).toBe(4);
    const changed = await patch(event.id, { maxTicketsPerCustomer: 100 });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().maxTicketsPerCustomer).toBe(100);
    expect(changed.json().status).toBe('on_sale');
    const logged = await a.db.auditEntry.findFirst({
      where: { action: 'event.limit', subject: `event:${event.id}` },
    });
    expect(logged?.detail).toEqual({ maxTicketsPerCustomer: 100 });
  });

  it.each([0, 101, 2.5, '5', null])('when the limit is %s, then create and PATCH answer 400', async (bad) => {
    const event = await createEvent(a, admin, hall());
    const created = await a.inject({
      method: 'POST',
      url: '/api/v1/admin/events',
      headers: bearer(admin),
      payload: eventBody({ ...hall(), maxTicketsPerCustomer: bad }),
    });
    expect(created.statusCode).toBe(400);
    expect(created.json().code).toBe('VALIDATION_FAILED');
    const patched = await patch(event.id, { maxTicketsPerCustomer: bad });
    expect(patched.statusCode).toBe(400);
  });
});
