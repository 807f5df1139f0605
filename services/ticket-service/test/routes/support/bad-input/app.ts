// The app each bad-input file sends its requests to, with the callers whose tokens get
// a request past authorization, so that only its one bad part is judged.
import { buildTestApp, createAdmin, signup, type TestUser } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { listenLocally } from '../../../support/routes.ts';

export const API = '/api/v1';
export const JSON_TYPE = { 'content-type': 'application/json' };

// Set by useBadInputApp before the file's tests run (one app per test file); importers
// see the current values through the live bindings.
export let app: FastifyInstance;
/** The caller for admin routes, so that requests get past authorization. */
export let admin: TestUser;
/** The caller for customer routes (reads, holds and purchases). */
export let customer: TestUser;
/** Where the app really listens (with `listen`), for the event stream. */
export let baseUrl: string;

export function useBadInputApp({ listen = false } = {}): void {
  beforeAll(async () => {
    app = await buildTestApp();
    admin = await createAdmin(app);
    customer = await signup(app, 'bad-input');
    if (listen) baseUrl = await listenLocally(app);
  });
  afterAll(async () => {
    await app?.close();
  });
}
