// Seat maps read after a sale (the checker's I4, the report's seats sold, the seat ids
// of a new event): each must show every seat change committed before the read.
//
// The gateway micro-caches GET /api/v1/events/:id/seats (README, "Seat maps at the
// gateway"): a copy it keeps is up to TTL + 1 s old, and requests that arrive while an
// entry is being refreshed get an older one. Read through it right after a sale, a map
// can miss the last purchases, and the checker would report the map ≠ the stored
// tickets when nothing is wrong. So:
//
// - For the local cluster's gateway (cluster.json lists its replicas), the map is read
//   from a replica directly. A replica reads the event's seat version from PostgreSQL
//   on every request and reuses a serialized map only while that version is unchanged,
//   so its answer is current. cluster.json is read again for every map, so replicas
//   that `cluster scale` added or removed are followed; one that does not answer (or
//   answers 5xx, e.g. while draining) is skipped.
// - Otherwise (a gateway URL alone, or no replica answered) the gateway is asked again
//   until its answer was fetched from a replica for this very request: X-Cache-Status
//   MISS, EXPIRED (fetched again), REVALIDATED (a replica confirmed the cached ETag is
//   the current version) or BYPASS, or no X-Cache-Status at all (nothing cached it).
//   HIT, UPDATING and STALE are copies made before the request and are never used.
//   Once a sale is over, an entry expires within TTL + 1 s, so this takes a second or
//   two while nobody else reads the map; after `timeoutMs` it gives up with an error
//   rather than check a map that may be stale.
//
// A query string is not used to get past the cache. With this gateway's configuration
// it would work (the location matches the path alone and the key is $request_uri, query
// included, so `?n=<nonce>` is always a MISS), but every nonce leaves an entry behind,
// and it would silently stop working on a gateway keyed by path.
import { readFileSync } from 'node:fs';
import { Agent, type IncomingHttpHeaders, request } from 'node:http';

export interface SeatMap {
  eventId: string;
  version: number;
  seats: { id: string; status: string }[];
}

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, read by trusted harness code
  json: any;
  headers: IncomingHttpHeaders;
}

export const seatMapPath = (eventId: string) => `/api/v1/events/${eventId}/seats`;

// Cache statuses of nginx for an answer a replica gave to this very request.
const FROM_REPLICA = new Set(['MISS', 'EXPIRED', 'REVALIDATED', 'BYPASS']);

/** Whether the gateway answered with a copy it had before the request (HIT, UPDATING, STALE…). */
export function fromGatewayCache(cacheStatus: string | string[] | undefined): boolean {
  if (cacheStatus === undefined) return false;
  const status = Array.isArray(cacheStatus) ? cacheStatus[0] : cacheStatus;
  return !FROM_REPLICA.has(String(status).trim().toUpperCase());
}

export interface GatewayPolling {
  /** Give up after this long (default 30 s; an entry expires within TTL + 1 s). */
  timeoutMs?: number;
  /** Pause between two asks (default 200 ms). */
  intervalMs?: number;
}

/** The seat map through the gateway, from the first answer that did not come from its cache. */
export async function currentFromGateway(
  get: (path: string) => Promise<Answer>,
  eventId: string,
  { timeoutMs = 30_000, intervalMs = 200 }: GatewayPolling = {},
): Promise<SeatMap> {
  const deadline = Date.now() + timeoutMs;
  const seen: string[] = [];
  for (;;) {
    const res = await get(seatMapPath(eventId));
    const cacheStatus = res.headers['x-cache-status'];
    if (!fromGatewayCache(cacheStatus)) {
      if (res.status !== 200)
        throw new Error(`seat map of ${eventId}: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json as SeatMap;
    }
    seen.push(String(cacheStatus));
    if (Date.now() >= deadline)
      throw new Error(
        `seat map of ${eventId}: the gateway answered only from its cache for ${timeoutMs} ms ` +
          `(${seen.length} asks, last ${seen.at(-1)}); a current map cannot be told from a stale one`,
      );
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The replicas of the local cluster whose state file is `clusterFile`, as base URLs. */
export function replicaUrls(clusterFile: string): string[] {
  try {
    const state = JSON.parse(readFileSync(clusterFile, 'utf8')) as { replicas?: { port: number }[] };
    // Replicas listen on loopback (infra/cluster/replicas.ts), plain HTTP.
    return (state.replicas ?? []).map((r) => `http://127.0.0.1:${r.port}`);
  } catch {
    return [];
  }
}

export interface SeatMapReader {
  current(eventId: string): Promise<SeatMap>;
  close(): void;
}

export function seatMapReader(opts: {
  /** cluster.json of the local cluster behind the gateway, when it is that cluster. */
  clusterFile?: string;
  /** A GET through the gateway. */
  gateway: (path: string) => Promise<Answer>;
  polling?: GatewayPolling;
}): SeatMapReader {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  return {
    current: async (eventId) => {
      for (const base of opts.clusterFile ? replicaUrls(opts.clusterFile) : []) {
        const res = await get(agent, new URL(seatMapPath(eventId), base)).catch(() => undefined);
        if (!res || res.status >= 500) continue; // gone (scaled down), or draining
        if (res.status !== 200)
          throw new Error(`seat map of ${eventId} from ${base}: ${res.status} ${JSON.stringify(res.json)}`);
        return res.json as SeatMap;
      }
      return currentFromGateway(opts.gateway, eventId, opts.polling);
    },
    close: () => agent.destroy(),
  };
}

function get(agent: Agent, url: URL): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => {
        let json: unknown = text;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {}
        resolve({ status: res.statusCode ?? 0, json, headers: res.headers });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
