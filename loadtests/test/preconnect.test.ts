// The generators' connections are open before the clock starts (preconnect.ts): autocannon
// sends over the sockets opened first and opens none of its own, over TLS as over TCP, and a
// run of several generators sends its first request only once every generator is connected
// (unless it asks to connect at the start).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { selfSignedPair } from '@tickets/testkit/gateway-tls';
import autocannon from 'autocannon';
import { afterEach, describe, expect, it } from 'vitest';
import { handOut, openConnections } from '../src/preconnect.ts';
import { runLoad } from '../src/run-load.ts';

interface Counting {
  server: Server;
  url: string;
  connections: number[];
  requests: number[];
}

const servers: Server[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A server that notes when each connection was accepted and each request arrived. */
async function countingServer(secure?: { key: string; cert: string }): Promise<Counting> {
  const connections: number[] = [];
  const requests: number[] = [];
  const answer = (_req: unknown, res: { end: (b: string) => void }) => {
    requests.push(performance.now());
    res.end('ok');
  };
  const server = secure ? createHttpsServer(secure, answer) : createHttpServer(answer);
  server.on(secure ? 'secureConnection' : 'connection', () => connections.push(performance.now()));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { server, url: `${secure ? 'https' : 'http'}://localhost:${port}`, connections, requests };
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
}

function cannon(url: string, connections: number, amount: number, ca?: string) {
  return new Promise<autocannon.Result>((resolve, reject) =>
    autocannon(
      { url, connections, amount, ...(ca ? { tlsOptions: { ca } } : {}) } as autocannon.Options,
      (err, r) => (err ? reject(err) : resolve(r)),
    ),
  );
}

describe('connections opened before the clock starts', () => {
  it('when three connections are opened and handed out, then autocannon sends all its requests over them and opens none', async () => {
    const s = await countingServer();
    const originalConnect = net.connect;
    const sockets = await openConnections(s.url, undefined, 3);
    await until(() => s.connections.length === 3);
    expect(s.requests).toHaveLength(0);
    handOut(sockets);
    const result = await cannon(s.url, 3, 30);
    expect(result.requests.total).toBe(30);
    expect(s.requests).toHaveLength(30);
    expect(s.connections).toHaveLength(3);
    // Used up: the next connect is a real one again.
    expect(net.connect).toBe(originalConnect);
  });

  it('when the target speaks TLS, then the handshakes are done before the first request and autocannon uses those sockets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'preconnect-tls-'));
    dirs.push(dir);
    const made = selfSignedPair(dir);
    expect(made.status).toBe(0);
    const key = readFileSync(join(dir, 'tls.key'), 'utf8');
    const cert = readFileSync(join(dir, 'tls.crt'), 'utf8');
    const s = await countingServer({ key, cert });
    const originalConnect = tls.connect;
    const sockets = await openConnections(s.url, cert, 2);
    expect(sockets.every((socket) => socket instanceof tls.TLSSocket)).toBe(true);
    await until(() => s.connections.length === 2);
    handOut(sockets);
    const result = await cannon(s.url, 2, 10, cert);
    expect(result.non2xx).toBe(0);
    expect(s.requests).toHaveLength(10);
    expect(s.connections).toHaveLength(2);
    expect(tls.connect).toBe(originalConnect);
  });

  it('when nothing listens, then opening fails with the connection error', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((r) => probe.close(r));
    await expect(openConnections(`http://127.0.0.1:${port}`, undefined, 2)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('when two generators run, then every connection of both is open before the first request arrives', async () => {
    const s = await countingServer();
    const load = await runLoad(
      { baseUrl: s.url, connections: 4, amount: 40, durationSeconds: 10, get: '/' },
      2,
      'preconnect test',
    );
    expect(load.requests).toBe(40);
    expect(s.connections).toHaveLength(4);
    expect(Math.max(...s.connections)).toBeLessThan(Math.min(...s.requests));
  });

  it('when the run asks to connect at the start, then the connections are opened after the clock started, as autocannon does by itself', async () => {
    const s = await countingServer();
    const load = await runLoad(
      { baseUrl: s.url, connections: 4, amount: 40, durationSeconds: 10, get: '/', connectAtStart: true },
      2,
      'connect-at-start test',
    );
    expect(load.requests).toBe(40);
    expect(s.connections).toHaveLength(4);
    const wallClock = (t: number) => performance.timeOrigin + t;
    expect(Math.min(...s.connections.map(wallClock))).toBeGreaterThanOrEqual(load.startedAtMs);
  });
});
