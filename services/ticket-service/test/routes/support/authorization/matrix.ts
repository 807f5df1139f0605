// Who may call what: each row is a route with a valid request for it, so that "allowed"
// means its success status, and each is called by an anonymous caller, a customer, staff
// and an admin.
import { bearer, createAdmin, signup, type TestUser, uniqueEmail } from '@tickets/testkit/app';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect, it } from 'vitest';
import { API_PREFIX, openStream } from '../../../support/routes.ts';
import { app, baseUrl, owner } from './app.ts';
import { PASSWORD } from './fixtures.ts';

export type Caller = 'anonymous' | 'customer' | 'staff' | 'admin';
// staff: admins and staff (door accounts), i.e. ticket check-in.
export type Access = 'public' | 'customer' | 'staff' | 'admin';

export interface Prepared {
  /** Relative to /api/v1. */
  url: string;
  payload?: unknown;
  /** Headers besides the caller's token (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
  /** For a refused request: throws if the request changed anything. */
  unchanged?: () => Promise<void>;
  /** For an allowed request: throws if it did not do what it should, for this caller. */
  verify?: (res: LightMyRequestResponse) => Promise<void>;
}

export interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as registered, relative to /api/v1. */
  route: string;
  access: Access;
  success: number;
  /** A Server-Sent Events route: requested from a listening server, never with app.inject. */
  stream?: boolean;
  prepare: (caller: TestUser | null) => Promise<Prepared>;
}

interface Outcome {
  status: 'success' | 401 | 403;
  code?: 'UNAUTHENTICATED' | 'FORBIDDEN';
}

function expected(access: Access, caller: Caller): Outcome {
  if (access === 'public') return { status: 'success' };
  if (caller === 'anonymous') return { status: 401, code: 'UNAUTHENTICATED' };
  if (access === 'admin' && caller !== 'admin') return { status: 403, code: 'FORBIDDEN' };
  if (access === 'staff' && caller === 'customer') return { status: 403, code: 'FORBIDDEN' };
  // Admins may do everything; staff what customers may, and check-in.
  return { status: 'success' };
}

const casesOf = (rows: Row[]) =>
  rows.flatMap((row) =>
    (['anonymous', 'customer', 'staff', 'admin'] as const).map((caller) => {
      const outcome = expected(row.access, caller);
      return {
        row,
        caller,
        name: `${row.method} ${row.route}`,
        outcome: outcome.status === 'success' ? String(row.success) : `${outcome.status} ${outcome.code}`,
        ...outcome,
      };
    }),
  );

async function makeCaller(caller: Caller): Promise<TestUser | null> {
  if (caller === 'anonymous') return null;
  if (caller === 'staff') return createStaff();
  return caller === 'admin' ? createAdmin(app) : signup(app, 'authz');
}

/** A staff member, made by an admin as POST /admin/users makes them, logged in. */
async function createStaff(): Promise<TestUser> {
  const email = uniqueEmail('staff');
  const made = await app.inject({
    method: 'POST',
    url: `${API_PREFIX}/admin/users`,
    headers: bearer(owner),
    payload: { email, password: PASSWORD, name: 'Door', role: 'staff' },
  });
  if (made.statusCode !== 201) throw new Error(`staff not made: ${made.statusCode} ${made.body}`);
  const login = await app.inject({
    method: 'POST',
    url: `${API_PREFIX}/auth/login`,
    payload: { email, password: PASSWORD },
  });
  return { id: made.json().id, email, password: PASSWORD, token: login.json().token };
}

/** Defines a test per row and caller: allowed callers get the success, others 401 or 403 and no change. */
export function itAnswersAsTheRowsAllow(rows: Row[]): void {
  it.each(casesOf(rows))(
    'when $caller calls $name, then it answers $outcome',
    async ({ row, caller, status, code }) => {
      const user = await makeCaller(caller);
      const prepared = await row.prepare(user);
      const headers = { ...(user ? bearer(user) : {}), ...prepared.headers };
      if (row.stream) {
        const answer = await openStream(baseUrl, `${API_PREFIX}${prepared.url}`, { headers });
        if (status === 'success') {
          expect(answer.status, answer.body).toBe(row.success);
          expect(answer.headers.get('content-type')).toMatch(/^text\/event-stream/);
          expect(answer.body).toMatch(/^event: ready$/m);
          return;
        }
        expect(answer.status, answer.body).toBe(status);
        expect(answer.headers.get('content-type')).toContain('application/problem+json');
        expect(JSON.parse(answer.body)).toMatchObject({ status, code });
        return;
      }
      const res = await app.inject({
        method: row.method,
        url: `${API_PREFIX}${prepared.url}`,
        headers,
        ...(prepared.payload === undefined ? {} : { payload: prepared.payload as InjectOptions['payload'] }),
      });
      if (status === 'success') {
        expect(res.statusCode, res.body).toBe(row.success);
        if (row.route === '/me') expect(res.json().id).toBe(user?.id);
        await prepared.verify?.(res);
        return;
      }
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status, code });
      await prepared.unchanged?.();
    },
  );
}
