// The system under test: the local cluster (from .run/cluster.json) or any
// gateway URL. Everything the timed part needs — events, buyers and their
// tokens — is prepared here, before it starts.
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import type { Section } from '@tickets/contract/events';
import { type SeatMap, seatMapReader } from './seat-maps.ts';

export interface Target {
  baseUrl: string;
  /** PEM of the gateway's certificate when it is self-signed, else undefined. */
  ca?: string;
  databaseUrl?: string;
  redisUrls?: string[];
  runDir?: string;
  /**
   * cluster.json of the local cluster when baseUrl is its gateway: seat maps are then
   * read from its replicas, past the gateway's cache (seat-maps.ts).
   */
  clusterFile?: string;
  /** cluster.json of the local cluster whose database and Redis this run uses (whatever baseUrl is). */
  stateFile?: string;
  admin?: { email: string; password: string };
  /** The generators open their connections when the clock starts (--connect-at-start), not before (preconnect.ts). */
  connectAtStart?: boolean;
}

/**
 * The cluster file is `--cluster FILE`, else `cluster.json` in TICKETS_RUN_DIR, else in
 * the repository's `.run/`; its secrets.json and tls/ sit beside it.
 */
export function loadTarget(opts: { url?: string; runDir?: string; clusterFile?: string }): Target {
  const runDir = opts.clusterFile
    ? dirname(resolve(opts.clusterFile))
    : resolve(opts.runDir ?? process.env.TICKETS_RUN_DIR ?? join(import.meta.dirname, '../../.run'));
  const stateFile = opts.clusterFile ? resolve(opts.clusterFile) : join(runDir, 'cluster.json');
  if (!existsSync(stateFile)) {
    if (opts.clusterFile) throw new Error(`no cluster file at ${stateFile}`);
    if (!opts.url)
      throw new Error(
        `no running cluster in ${runDir}; start one with \`npm run cluster -- up\` or pass --url`,
      );
    return { baseUrl: opts.url };
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8'));
  const secrets = JSON.parse(readFileSync(join(runDir, 'secrets.json'), 'utf8'));
  const caFile = join(runDir, 'tls/gateway.crt');
  const baseUrl = opts.url ?? state.gatewayUrl;
  return {
    baseUrl,
    ca: existsSync(caFile) ? readFileSync(caFile, 'utf8') : undefined,
    databaseUrl: state.databaseUrl,
    redisUrls: state.redisUrls,
    runDir,
    stateFile,
    // Its replicas are the ones behind baseUrl only if baseUrl is its gateway.
    clusterFile: sameOrigin(baseUrl, state.gatewayUrl) ? stateFile : undefined,
    admin: { email: secrets.adminEmail, password: secrets.adminPassword },
  };
}

function sameOrigin(a: string, b: string | undefined): boolean {
  try {
    return b !== undefined && new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

export interface Api {
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, read by trusted harness code
  ): Promise<{ status: number; json: any; headers: IncomingHttpHeaders }>;
  /**
   * The event's seat map as it is now: never a copy the gateway cached before the call
   * (seat-maps.ts). Every read that is compared with the database goes through here.
   */
  seatMap(eventId: string): Promise<SeatMap>;
  close(): void;
}

export function api(target: Target): Api {
  const agent = new Agent({ ca: target.ca, keepAlive: true, maxSockets: 32 });
  const once = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<Awaited<ReturnType<Api['call']>>>((done, fail) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        new URL(path, target.baseUrl),
        {
          method,
          agent,
          headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () =>
            done({
              status: res.statusCode ?? 0,
              json: text ? safeJson(text) : undefined,
              headers: res.headers,
            }),
          );
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        fail(Object.assign(err, { reusedSocket: req.reusedSocket && err.code !== 'ETIMEDOUT' })),
      );
      req.end(payload);
    });
  // A keep-alive connection the gateway closed (it does on every reload) fails
  // before the request arrives; such a request is sent again. Each retry uses
  // up one stale pooled connection, so there may be a few.
  const call: Api['call'] = async (method, path, body, headers) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(method, path, body, headers);
      } catch (err) {
        if (!(err as { reusedSocket?: boolean }).reusedSocket || attempt >= 10) throw err;
      }
    }
  };
  const seatMaps = seatMapReader({ clusterFile: target.clusterFile, gateway: (path) => call('GET', path) });
  return {
    call,
    seatMap: (eventId) => seatMaps.current(eventId),
    close: () => {
      seatMaps.close();
      agent.destroy();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function adminToken(client: Api, target: Target): Promise<string> {
  if (!target.admin)
    throw new Error('creating events needs the admin of a local cluster (.run/secrets.json)');
  const res = await client.call('POST', '/api/v1/auth/login', target.admin);
  if (res.status !== 200) throw new Error(`admin login failed: ${res.status}`);
  return res.json.token;
}

export interface PreparedEvent {
  id: string;
  seatIds: string[];
}

export async function createEvent(
  client: Api,
  token: string,
  title: string,
  sections: Section[],
): Promise<PreparedEvent> {
  const res = await client.call(
    'POST',
    '/api/v1/admin/events',
    {
      title,
      venue: 'Load test hall',
      startsAt: new Date(Date.now() + 7 * 86400_000).toISOString(),
      currency: 'EUR',
      layout: { sections },
      // A load test has few buyers (100 by default) for thousands of seats: the
      // highest per-customer limit, so that the sale is limited by the service,
      // not by the rule (which the service's own tests prove).
      maxTicketsPerCustomer: 100,
    },
    { authorization: `Bearer ${token}` },
  );
  if (res.status !== 201) throw new Error(`event not created: ${res.status} ${JSON.stringify(res.json)}`);
  const map = await client.seatMap(res.json.id);
  return { id: res.json.id, seatIds: map.seats.map((s) => s.id) };
}

export interface PreparedBuyer {
  id: string;
  token: string;
}

/** Signs up `count` buyers through the API (a few at a time: hashing is deliberately slow). */
export async function signupBuyers(client: Api, count: number, runTag: string): Promise<PreparedBuyer[]> {
  const buyers: PreparedBuyer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await client.call('POST', '/api/v1/auth/signup', {
        email: `load-${runTag}-${i}@example.test`,
        password: 'load test password',
        name: `Load buyer ${i}`,
      });
      if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.json)}`);
      buyers.push({ id: res.json.user.id, token: res.json.token });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return buyers;
}
