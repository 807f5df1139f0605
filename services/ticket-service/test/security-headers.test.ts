// Every answer of the API carries helmet's security headers, the same set helmet's
// own middleware writes on a real HTTP response, whatever the route and outcome;
// CSP and HSTS are the gateway's (the API answers JSON only).
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildTestApp } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helmetHeaders } from '../src/plugins/external/security-headers.ts';

let app: FastifyInstance;

beforeAll(async () => {
  app = await buildTestApp({ replicaId: 'headers-test' });
});

afterAll(async () => {
  await app?.close();
});

/** The headers helmet's middleware leaves on a real node:http response. */
async function helmetOnARealResponse(): Promise<Record<string, string>> {
  const middleware = helmet({ contentSecurityPolicy: false, hsts: false });
  const server = createServer((req, res) => middleware(req, res, () => res.end()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
      request({ host: '127.0.0.1', port }, resolve).on('error', reject).end(),
    );
    res.resume();
    const {
      date,
      connection,
      'keep-alive': _k,
      'content-length': _l,
      'transfer-encoding': _t,
      ...rest
    } = res.headers;
    return rest as Record<string, string>;
  } finally {
    server.close();
  }
}

describe('security headers', () => {
  it('when recorded at start-up, then they are what helmet writes on a real response', async () => {
    const real = await helmetOnARealResponse();
    expect(Object.keys(real).length).toBeGreaterThanOrEqual(8);
    expect(helmetHeaders({ contentSecurityPolicy: false, hsts: false })).toEqual(real);
  });

  it('when answers succeed, are refused or match no route, then each carries the headers and no CSP or HSTS', async () => {
    const expected = helmetHeaders({ contentSecurityPolicy: false, hsts: false });
    const answers = await Promise.all([
      app.inject({ method: 'GET', url: '/healthz' }),
      app.inject({ method: 'GET', url: '/api/v1/orders' }),
      app.inject({ method: 'GET', url: '/api/v1/no-such-route' }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 404]);
    for (const answer of answers) {
      expect(answer.headers).toMatchObject(expected);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(answer.headers['content-security-policy']).toBeUndefined();
      expect(answer.headers['strict-transport-security']).toBeUndefined();
    }
  });
});
