// The app each bad-input file sends its requests to, with the callers whose tokens get
// a request past authorization, so that only its one bad part is judged.
import { buildTestApp, createAdmin, signup, type TestUser } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { listenLocally } from '../../../support/routes.ts';

export const API = '/api/v1';
export const JSON_TYPE = { 'content-type': 'application/json' };

interface BadInputSuite {
  app: FastifyInstance;
  /** The caller for admin routes, so that requests get past authorization. */
  admin: TestUser;
  /** The caller for customer routes (reads, holds and purchases). */
  customer: TestUser;
  /** Where the app really listens (with `listen`), for the event stream. */
  baseUrl: string;
}

/** Filled in before the file's tests run; one app per test file. */
export const suite = {} as BadInputSuite;

export function useBadInputApp({ listen = false } = {}): void {
  beforeAll(async () => {
    suite.app = await buildTestApp();
    suite.admin = await createAdmin(suite.app);
    suite.customer = await signup(suite.app, 'bad-input');
    if (listen) suite.baseUrl = await listenLocally(suite.app);
  });
  afterAll(async () => {
    await suite.app?.close();
  });
}
