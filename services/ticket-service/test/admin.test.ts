import {
  bearer,
  buildTestApp,
  createAdmin,
  createEvent,
  signup,
  type TestUser,
  uniqueEmail,
} from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let app: FastifyInstance;
let admin: TestUser;
beforeAll(async () => {
  app = await buildTestApp();
  admin = await createAdmin(app);
});
afterAll(async () => {
  await app?.close();
});

type Entry = { id: string; at: string; replica: string; actor: string; action: string; subject: string };

/** Pages through the log (other tests write to it concurrently) back to `since`. */
async function auditFor(subject: string, since: Date): Promise<Entry[]> {
  const found: Entry[] = [];
  let before: string | null = null;
  for (;;) {
    const url: string = `/api/v1/admin/audit?limit=200${before ? `&before=${before}` : ''}`;
    const res = await app.inject({ method: 'GET', url, headers: bearer(admin) });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    found.push(...page.items.filter((e: Entry) => e.subject === subject));
    before = page.nextBefore;
    const oldest = page.items.at(-1);
    if (!before || !oldest || Date.parse(oldest.at) < since.getTime() - 1000) return found;
  }
}

describe('admin users', () => {
  it('when an admin adds another admin, then that admin can use admin routes', async () => {
    const email = uniqueEmail('second-admin');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: bearer(admin),
      payload: { email, password: 'second admin pw', name: 'Second', role: 'admin' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ email, role: 'admin' });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'second admin pw' },
    });
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/events',
      headers: bearer(login.json()),
    });
    expect(list.statusCode).toBe(200);
  });

  it('when an admin adds an existing email, then 409 EMAIL_TAKEN', async () => {
    const customer = await signup(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/users',
      headers: bearer(admin),
      payload: { email: customer.email, password: 'whatever pw', name: 'X', role: 'admin' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('EMAIL_TAKEN');
    expect((await app.db.user.findUniqueOrThrow({ where: { email: customer.email } })).role).toBe('customer');
  });
});

describe('operation log', () => {
  it('when accounts and events change, then each operation is logged with time, replica and actor', async () => {
    const before = new Date();
    const customer = await signup(app);
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: customer.email, password: 'nope nope' },
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: customer.email, password: customer.password },
    });
    await app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: bearer(customer),
      payload: { currentPassword: customer.password, newPassword: 'changed password' },
    });
    const entries = await auditFor(`user:${customer.id}`, before);
    expect(entries.map((e) => e.action)).toEqual([
      'user.password_changed',
      'auth.login',
      'auth.login_failed',
      'user.signup',
    ]);
    for (const e of entries) {
      expect(e.replica).toBe('test-replica');
      expect(e.actor).toBe(customer.email);
      expect(new Date(e.at).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    }

    const event = await createEvent(app, admin);
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/events/${event.id}`,
      headers: bearer(admin),
      payload: { status: 'closed' },
    });
    const eventEntries = await auditFor(`event:${event.id}`, before);
    expect(eventEntries.map((e) => [e.action, e.actor])).toEqual([
      ['event.status', admin.email],
      ['event.create', admin.email],
    ]);
  });

  it('when paging with `before`, then pages are newest first, disjoint and complete', async () => {
    for (let i = 0; i < 5; i++) await signup(app, `pager${i}`);
    const first = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?limit=3',
      headers: bearer(admin),
    });
    const page1 = first.json();
    expect(page1.items).toHaveLength(3);
    expect(page1.nextBefore).toBe(page1.items[2].id);
    const second = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/audit?limit=3&before=${page1.nextBefore}`,
      headers: bearer(admin),
    });
    const page2 = second.json();
    const ids = [...page1.items, ...page2.items].map((e: Entry) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(new Set(ids).size).toBe(6);
    const times = [...page1.items, ...page2.items].map((e: Entry) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const byTime = await app.inject({
      method: 'GET',
      url: `/api/v1/admin/audit?limit=1&before=${encodeURIComponent(page1.items[0].at)}`,
      headers: bearer(admin),
    });
    expect(Date.parse(byTime.json().items[0].at)).toBeLessThan(Date.parse(page1.items[0].at));

    const bad = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/audit?before=yesterday',
      headers: bearer(admin),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });
});
