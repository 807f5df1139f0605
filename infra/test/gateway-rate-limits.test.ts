// The gateway's per-address limits, run by a real nginx: gateway/nginx.conf.template as
// the local cluster renders it (infra/lib/nginx.ts), with the factor at 0.1 so that
// the limits are reached in a test, in front of a stub replica. Each test sends from
// an address of its own (any 127.x.y.z reaches loopback), as the zones count per
// address: API 5 r/s + burst 20, auth 6 r/min + burst 3, 20 requests in progress,
// 5 seat streams.
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selfSignedPair } from '@tickets/testkit/gateway-tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../lib/free-port.ts';
import { gatewayLimits } from '../lib/gateway-limits.ts';
import { ensureNginx, startGateway, stopGateway, writeGatewayConfig } from '../lib/nginx.ts';
import { pollUntil } from '../lib/process.ts';

const FACTOR = 0.1;
const limits = gatewayLimits(FACTOR);

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let dir: string;
let runDir: string;
let upstream: Server;
let baseUrl: string;
let ca: string;
const held: ServerResponse[] = [];
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

/** One request from `address`; with `untilFirstByte`, resolves at the response head (streams stay open). */
function call(
  address: string,
  method: string,
  path: string,
  opts: { untilHead?: boolean } = {},
): Promise<Answer & { close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      { method, agent, ca, localAddress: address, headers: { 'content-type': 'application/json' } },
      (res) => {
        const answer = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: '',
          close: () => res.destroy(),
        };
        res.setEncoding('utf8');
        if (opts.untilHead && res.statusCode === 200) {
          res.once('data', (chunk: string) => resolve({ ...answer, body: chunk }));
          return;
        }
        res.on('data', (chunk: string) => {
          answer.body += chunk;
        });
        res.on('end', () => resolve(answer));
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

function expectGatewayRefusal(answer: Answer) {
  expect(answer.status).toBe(429);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.headers['retry-after']).toBe('1');
  expect(answer.headers['strict-transport-security']).toBe('max-age=63072000');
  expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  expect(JSON.parse(answer.body)).toEqual({
    type: 'about:blank',
    title: 'Too Many Requests',
    status: 429,
    detail: 'Too many requests from this address; retry in a moment.',
    code: 'RATE_LIMITED',
  });
}

beforeAll(async () => {
  ensureNginx();
  dir = mkdtempSync(join(tmpdir(), 'tickets-gateway-limits-'));
  // Run as root, nginx's workers are `nobody`: they must reach the run directory and web root.
  chmodSync(dir, 0o755);
  runDir = join(dir, 'run');
  mkdirSync(join(dir, 'web'), { recursive: true });
  writeFileSync(join(dir, 'web/index.html'), '<!doctype html><title>web client</title>\n');
  const tls = selfSignedPair(join(dir, 'tls'));
  if (tls.status !== 0) throw new Error(tls.stderr);
  ca = readFileSync(join(dir, 'tls/tls.crt'), 'utf8');

  // The stub replica: answers at once, except streams (kept open) and /healthz (held until released).
  upstream = createServer((req, res) => {
    if (req.url?.endsWith('/stream')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ready\ndata: {}\n\n');
      held.push(res);
    } else if (req.url === '/healthz') {
      held.push(res);
    } else if (req.url === '/api/v1/limited-by-the-replica') {
      res.writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '7' });
      res.end('{"code":"RATE_LIMITED","detail":"from the replica"}');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const upstreamPort = (upstream.address() as { port: number }).port;

  const [httpsPort, httpPort] = (await freePorts(2)) as [number, number];
  await writeGatewayConfig({
    runDir,
    httpsPort,
    httpPort,
    certFile: join(dir, 'tls/tls.crt'),
    keyFile: join(dir, 'tls/tls.key'),
    webRoot: join(dir, 'web'),
    upstreams: [{ host: '127.0.0.1', port: upstreamPort }],
    rateLimitFactor: FACTOR,
  });
  await startGateway(runDir);
  baseUrl = `https://127.0.0.1:${httpsPort}`;
});

afterAll(async () => {
  agent.destroy();
  for (const res of held) res.destroy();
  if (runDir) await stopGateway(runDir);
  upstream?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const healthzHeld = () => held.filter((res) => !res.destroyed && !res.headersSent).length;

describe('gateway per-address limits (real nginx)', () => {
  it('when rendered with a factor, then every limit in nginx.conf is the base value times it', () => {
    const conf = readFileSync(join(runDir, 'nginx.conf'), 'utf8');
    expect(conf).toContain(`zone=api_per_address:10m rate=${limits.apiRatePerSecond}r/s;`);
    expect(conf).toContain(`zone=auth_per_address:10m rate=${limits.authRatePerMinute}r/m;`);
    expect(conf).toContain(`limit_req zone=api_per_address burst=${limits.apiBurst} nodelay;`);
    expect(conf).toContain(`limit_req zone=auth_per_address burst=${limits.authBurst} nodelay;`);
    expect(conf).toContain(`limit_conn requests_per_address ${limits.requestsPerAddress};`);
    expect(conf).toContain(`limit_conn streams_per_address ${limits.streamsPerAddress};`);
    expect(limits).toEqual({
      apiRatePerSecond: 5,
      apiBurst: 20,
      authRatePerMinute: 6,
      authBurst: 3,
      requestsPerAddress: 20,
      streamsPerAddress: 5,
    });
  });

  it('when one address logs in beyond the auth burst, then nginx answers 429 problem+json with Retry-After; another address is not affected', async () => {
    const statuses: number[] = [];
    let refusal: Answer | undefined;
    for (let i = 0; i < 8; i++) {
      const answer = await call('127.0.0.2', 'POST', '/api/v1/auth/login');
      statuses.push(answer.status);
      if (answer.status === 429) refusal ??= answer;
    }
    // The first, then the burst of 3 at once; the rate (one per 10 s) lets no more through.
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
    expectGatewayRefusal(refusal as Answer);
    expect((await call('127.0.0.3', 'POST', '/api/v1/auth/login')).status).toBe(200);
    // Other API requests of that address are counted by the API zone only.
    expect((await call('127.0.0.2', 'GET', '/api/v1/events')).status).toBe(200);
  });

  it('when one address sends API requests beyond rate and burst, then the excess is 429; the web client is not limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call('127.0.0.4', 'GET', '/api/v1/events')).status);
    const passed = statuses.filter((s) => s === 200).length;
    // 1 + the burst of 20, and the few that 5 r/s lets through while they are sent.
    expect(passed).toBeGreaterThanOrEqual(1 + limits.apiBurst);
    expect(passed).toBeLessThan(30);
    expect(statuses.slice(0, 1 + limits.apiBurst)).toEqual(Array(1 + limits.apiBurst).fill(200));
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    for (let i = 0; i < 40; i++) expect((await call('127.0.0.4', 'GET', '/')).status).toBe(200);
  });

  it('when one address opens more seat streams than its cap, then the next is 429, while its other requests still pass', async () => {
    const streams = [];
    for (let i = 0; i < limits.streamsPerAddress; i++) {
      const stream = await call('127.0.0.5', 'GET', `/api/v1/events/e${i}/stream`, { untilHead: true });
      expect(stream.status).toBe(200);
      expect(stream.body).toContain('event: ready');
      streams.push(stream);
    }
    expectGatewayRefusal(await call('127.0.0.5', 'GET', '/api/v1/events/e9/stream'));
    // Open streams are not requests in progress, and other addresses have their own cap.
    expect((await call('127.0.0.5', 'GET', '/api/v1/events')).status).toBe(200);
    const other = await call('127.0.0.6', 'GET', '/api/v1/events/e0/stream', { untilHead: true });
    expect(other.status).toBe(200);
    for (const s of [...streams, other]) s.close();
  });

  it('when one address has as many requests in progress as its cap, then the next is 429 until they finish', async () => {
    const before = healthzHeld();
    const pending = Array.from({ length: limits.requestsPerAddress }, () =>
      call('127.0.0.7', 'GET', '/healthz'),
    );
    await pollUntil(
      () => healthzHeld() === before + limits.requestsPerAddress,
      'the requests to reach the stub',
      10_000,
    );
    expectGatewayRefusal(await call('127.0.0.7', 'GET', '/healthz'));
    for (const res of held.filter((r) => !r.headersSent)) res.end('ok');
    expect((await Promise.all(pending)).map((a) => a.status)).toEqual(
      Array(limits.requestsPerAddress).fill(200),
    );
  });

  it('when a replica answers 429 itself, then its answer passes through unchanged (its Retry-After, its body)', async () => {
    const answer = await call('127.0.0.8', 'GET', '/api/v1/limited-by-the-replica');
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('7');
    expect(JSON.parse(answer.body)).toEqual({ code: 'RATE_LIMITED', detail: 'from the replica' });
  });
});
