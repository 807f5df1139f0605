// An event's sales settings (src/domain/events/sales-settings.ts): sales that open at a set
// time, and what admins set, shown and obeyed on every replica.
import { bearer, createEvent } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import type { Buyer } from '../support/buyers.ts';
import {
  API,
  a,
  admin,
  at,
  b,
  buyers,
  buyNow,
  clock,
  expectRefused,
  hold,
  until,
  useTwoReplicas,
} from './support.ts';

useTwoReplicas();

describe('sales that open at a set time', () => {
  it('when holds and orders come before salesStartAt, then 409 SALES_NOT_OPEN; from then on they go through', async () => {
    clock.ms = Date.now();
    const opening = clock.ms + 5 * 60_000;
    const event = await createEvent(a, admin, { salesStartAt: at(opening) });
    const [customer] = (await buyers(1)) as [Buyer];
    for (const app of [a, b]) {
      const refused = expectRefused(await hold(app, customer, event.id), 409, 'SALES_NOT_OPEN');
      expect(refused.salesStartAt).toBe(at(opening));
      expectRefused(await buyNow(app, customer, event.id), 409, 'SALES_NOT_OPEN');
    }
    expect(await a.db.hold.count({ where: { eventId: event.id } })).toBe(0);
    clock.ms = opening;
    expect((await hold(a, customer, event.id)).statusCode).toBe(201);
    expect((await buyNow(b, customer, event.id)).statusCode).toBe(201);
  });
});

describe('admin settings', () => {
  it('when an admin sets salesStartAt and a waiting room, then the admin and public event JSON show them, and a PATCH reaches the other replica', async () => {
    clock.ms = Date.now();
    const created = await createEvent(a, admin);
    const url = `${API}/events/${created.id}`;
    expect((await b.inject({ method: 'GET', url })).json()).toMatchObject({
      salesStartAt: null,
      waitingRoom: null,
    });
    const [customer] = (await buyers(1)) as [Buyer];
    // Replica b reads the settings once and keeps them.
    expect((await hold(b, customer, created.id)).statusCode).toBe(201);

    const opening = at(clock.ms + 3_600_000);
    const patched = await a.inject({
      method: 'PATCH',
      url: `${API}/admin/events/${created.id}`,
      headers: bearer(admin),
      payload: { salesStartAt: opening, waitingRoom: { enabled: true, admitPerMinute: 120 } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const shown = {
      salesStartAt: opening,
      waitingRoom: { enabled: true, admitPerMinute: 120 },
      status: 'on_sale',
    };
    expect(patched.json()).toMatchObject(shown);
    expect((await b.inject({ method: 'GET', url })).json()).toMatchObject(shown);
    const listed = await b.inject({ method: 'GET', url: `${API}/admin/events`, headers: bearer(admin) });
    expect(listed.json().items.find((e: { id: string }) => e.id === created.id)).toMatchObject(shown);
    // b hears of the change over pub/sub and refuses from then on.
    await until(async () => (await hold(b, customer, created.id)).statusCode === 409, 'b to see the change');

    const reopened = await a.inject({
      method: 'PATCH',
      url: `${API}/admin/events/${created.id}`,
      headers: bearer(admin),
      payload: { salesStartAt: null, waitingRoom: { enabled: false, admitPerMinute: 120 } },
    });
    expect(reopened.json()).toMatchObject({ salesStartAt: null, waitingRoom: { enabled: false } });
    await until(async () => (await hold(b, customer, created.id)).statusCode === 201, 'b to reopen');
    const log = await a.db.auditEntry.findMany({
      where: { subject: `event:${created.id}` },
      orderBy: { id: 'asc' },
    });
    expect(log.map((e) => e.action)).toEqual(['event.create', 'event.sales', 'event.sales']);
  });

  it('when the settings are not valid, then 400 VALIDATION_FAILED', async () => {
    const event = await createEvent(a, admin);
    for (const payload of [
      {},
      { waitingRoom: { enabled: true, admitPerMinute: 0 } },
      { waitingRoom: { enabled: true } },
      { waitingRoom: { enabled: 'yes', admitPerMinute: 5 } },
      { salesStartAt: 'tomorrow' },
      { salesStartAt: '0000-01-01T00:00:00Z' },
    ]) {
      const res = await a.inject({
        method: 'PATCH',
        url: `${API}/admin/events/${event.id}`,
        headers: bearer(admin),
        payload,
      });
      expectRefused(res, 400, 'VALIDATION_FAILED');
    }
  });
});
