// The app each authorization file calls, recording the routes it registers, with the
// admin who makes the events, images and webhook endpoints the rows read or change.
import type { TestUser } from '@tickets/testkit/app';
import { createAdmin } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildAppWithRoutes, listenLocally, type RegisteredRoute } from '../../../support/routes.ts';

// Loopback on the discard port: registration accepts it in this app, and a replica that does
// send (only the webhook tests run a sender) is refused at once rather than waiting for an answer.
export const WEBHOOK_TARGET = 'http://127.0.0.1:9/authz/';

// Set by useAuthorizationApp before the file's tests run (one app per test file);
// importers see the current values through the live bindings.
export let app: FastifyInstance;
export let routes: RegisteredRoute[];
/** The admin who creates the events the rows read or change. */
export let owner: TestUser;
/** Where the app really listens (with `listen`), for the event stream. */
export let baseUrl: string;

export function useAuthorizationApp({ listen = false } = {}): void {
  beforeAll(async () => {
    // Webhook targets on loopback are allowed here, as in the webhook tests (none are by default).
    ({ app, routes } = await buildAppWithRoutes({
      webhookAllowPrivateTargets: ['loopback'],
    }));
    owner = await createAdmin(app);
    if (listen) baseUrl = await listenLocally(app);
  });
  afterAll(async () => {
    // The endpoints the rows registered, so that no replica of another test file sends to them.
    await app?.db.webhookEndpoint.deleteMany({ where: { url: { startsWith: WEBHOOK_TARGET } } });
    await app?.close();
  });
}
