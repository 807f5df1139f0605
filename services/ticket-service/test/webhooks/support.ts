// Webhooks (issue #13 item 6) are sent to a real HTTP receiver on loopback; the apps a
// test starts allow loopback targets (none are allowed by default) and are closed, and
// the endpoints it registered deleted, after the file's tests.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearer, buildTestApp, createAdmin, type TestUser } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/config.ts';

export interface Received {
  id: string;
  type: string;
  signature: string;
  body: string;
  data: Record<string, unknown>;
}

let server: Server;
// Set before the file's tests run (useWebhookReceiver, adminOn); importers see the
// current values through the live bindings.
export let receiverUrl: string;
export let admin: TestUser;
export const received: Received[] = [];
/** Answer 500 to the first request of these delivery ids (then 200). */
export const failOnce = new Set<string>();
let failNext = false;
/** The receiver answers 500 to its next request (then 200 again). */
export const failTheNextRequest = () => {
  failNext = true;
};

export const apps: FastifyInstance[] = [];
export const closed = new Set<FastifyInstance>();
/** Endpoints registered by the tests, deleted after them. */
export const endpoints: string[] = [];

export const loopbackApp = (replicaId: string, extra: Partial<Config> = {}) =>
  buildTestApp({ replicaId, webhookAllowPrivateTargets: ['loopback'], ...extra }).then((app) => {
    apps.push(app);
    return app;
  });

/** Makes the admin the tests register and read endpoints as. */
export async function adminOn(app: FastifyInstance): Promise<void> {
  admin = await createAdmin(app);
}

export function useWebhookReceiver(): void {
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const id = String(req.headers['x-tickets-delivery']);
        if (failNext || failOnce.has(id)) {
          failNext = false;
          failOnce.delete(id);
          res.writeHead(500).end();
          return;
        }
        const parsed = JSON.parse(body);
        received.push({
          id,
          type: String(req.headers['x-tickets-event']),
          signature: String(req.headers['x-tickets-signature']),
          body,
          data: parsed.data,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });

  afterAll(async () => {
    const app = apps.find((a) => !closed.has(a));
    if (app) {
      for (const id of endpoints) {
        await app.inject({ method: 'DELETE', url: `/api/v1/admin/webhooks/${id}`, headers: bearer(admin) });
      }
    }
    for (const app of apps) if (!closed.has(app)) await app.close();
    await new Promise((r) => server.close(r));
  });
}

export async function until(check: () => boolean | Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
