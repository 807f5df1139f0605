// The container gateway configuration, run (not only parsed) by this machine's nginx
// 1.22 in front of a real replica: the same down-levelling as nginx.test.ts (`resolve`
// and `http2 on` need newer nginx), container ports moved to free loopback ports.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '@tickets/infra/free-port';
import { pollUntil } from '@tickets/infra/process';
import { buildTestApp, createAdmin, createEvent } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerfileEnv } from './support/docker.ts';
import { layOutContainer, renderContainer } from './support/nginx.ts';
import { fromRoot } from './support/paths.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const send = url.startsWith('https:') ? request : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { rejectUnauthorized: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('container gateway configuration, run by nginx in front of a replica', () => {
  let app: FastifyInstance;
  let nginx: ChildProcess;
  let dir: string;
  let https: string;
  let http: string;
  let httpsPort: number;

  beforeAll(async () => {
    app = await buildTestApp();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    const [plainPort, securePort] = (await freePorts(2)) as [number, number];
    httpsPort = securePort;
    dir = mkdtempSync(join(tmpdir(), 'tickets-gateway-'));
    // Run as root, nginx's workers are `nobody`: they must be able to read the web root.
    chmodSync(dir, 0o755);
    const imageEnv = dockerfileEnv(fromRoot('gateway/Dockerfile'));
    const files = renderContainer(
      {
        ...imageEnv,
        TICKETS_UPSTREAM: `127.0.0.1:${address.port}`,
        TICKETS_HTTPS_PORT: String(securePort),
        // Long enough that two requests in a row always fall within it, however loaded the machine.
        TICKETS_SEATMAP_CACHE_SECONDS: '30',
        NGINX_LOCAL_RESOLVERS: '127.0.0.1',
      },
      imageEnv.NGINX_ENVSUBST_FILTER as string,
    );
    const conf = layOutContainer(dir, files);
    writeFileSync(
      conf,
      readFileSync(conf, 'utf8')
        .replace(/listen 8080;/, `listen 127.0.0.1:${plainPort};`)
        .replace(/listen 8443 ssl http2;/, `listen 127.0.0.1:${securePort} ssl http2;`),
    );
    writeFileSync(join(dir, 'usr/share/nginx/html/index.html'), '<!doctype html><title>web client</title>\n');
    mkdirSync(join(dir, 'usr/share/nginx/html/assets'));
    writeFileSync(join(dir, 'usr/share/nginx/html/assets/app-1234.js'), 'console.log(1);\n');
    // A file, not a pipe: the configuration logs to /dev/stdout and /dev/stderr.
    const log = openSync(join(dir, 'nginx.log'), 'w');
    nginx = spawn('nginx', ['-p', `${dir}/`, '-c', conf, '-g', 'daemon off;'], {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    https = `https://127.0.0.1:${securePort}`;
    http = `http://127.0.0.1:${plainPort}`;
    await pollUntil(
      async () => {
        if (nginx.exitCode !== null) throw new Error(readFileSync(join(dir, 'nginx.log'), 'utf8'));
        return get(`${https}/`).then(
          () => true,
          () => false,
        );
      },
      'nginx to listen',
      10_000,
    );
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((done) => nginx.once('exit', done));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('when the API is called over HTTPS, then a replica answers through the upstream, with the edge request id and HSTS', async () => {
    const res = await get(`${https}/api/v1/events`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toHaveProperty('items');
    expect(res.headers['x-replica-id']).toBe('test-replica');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000');
  });

  it('when a seat map is fetched twice, then the second answer comes from the micro-cache, with the security headers', async () => {
    const event = await createEvent(app, await createAdmin(app));
    const url = `${https}/api/v1/events/${event.id}/seats`;
    const first = await get(url);
    expect(first.status).toBe(200);
    expect(first.headers['x-cache-status']).toBe('MISS');
    const second = await get(url);
    expect(second.headers['x-cache-status']).toBe('HIT');
    expect(second.body).toBe(first.body);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers['strict-transport-security']).toBe('max-age=63072000');
    expect(second.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    // The gateway answers a client's revalidation itself.
    const revalidated = await get(url, { 'if-none-match': String(first.headers.etag) });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers['x-cache-status']).toBe('HIT');
    // Compressed at the edge, the tag turns weak; sent back as it came, it still matches.
    const gzipped = await get(url, { 'accept-encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.etag).toBe(`W/${first.headers.etag}`);
    const weak = { 'accept-encoding': 'gzip', 'if-none-match': String(gzipped.headers.etag) };
    expect((await get(url, weak)).status).toBe(304);
    // Nothing else is cached.
    expect((await get(`${https}/api/v1/events`)).headers['x-cache-status']).toBeUndefined();
  });

  it('when any other path is asked for, then the web client is served (single-page fallback)', async () => {
    for (const path of ['/', '/events/some-id']) {
      const res = await get(`${https}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.body, path).toMatch(/web client/);
    }
  });

  it('when the web client is fetched, then hashed assets are cached for good and the page is always revalidated', async () => {
    const asset = await get(`${https}/assets/app-1234.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const page = await get(`${https}/`);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['strict-transport-security']).toBe('max-age=63072000');
  });

  it('when /metrics or /readyz is asked for at the edge, then it is 404 (operators read replicas directly)', async () => {
    expect((await get(`${https}/metrics`)).status).toBe(404);
    expect((await get(`${https}/readyz`)).status).toBe(404);
    expect((await get(`${https}/healthz`)).status).toBe(200);
  });

  it('when plain HTTP is used, then it redirects to HTTPS on the configured public port', async () => {
    const res = await get(`${http}/api/v1/events?x=1`);
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`https://127.0.0.1:${httpsPort}/api/v1/events?x=1`);
  });
});
