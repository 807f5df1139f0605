// Seat maps the checker compares with the database are read as they are now, past the
// gateway's micro-cache: from a replica of the local cluster, or through the gateway only
// from an answer it did not take from its cache. First the parts alone (fake replica and
// gateway), then a real cluster whose gateway still serves the map from before a sale.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tickets/infra/free-port';
import { startTestCluster, type TestCluster } from '@tickets/testkit/cluster-cli';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../lib/checker.ts';
import { attemptsOf, readHistory } from '../src/history.ts';
import {
  type Answer,
  currentFromGateway,
  fromGatewayCache,
  type SeatMap,
  seatMapReader,
} from '../src/seat-maps.ts';
import {
  type Api,
  adminToken,
  api,
  createEvent,
  loadTarget,
  type PreparedEvent,
  signupBuyers,
  type Target,
} from '../src/target.ts';
import { checkRun } from '../src/verify.ts';

const EVENT = '6f1c1f3e-8d1a-4d0a-9a57-2f4f5b8b7c01';
const mapOf = (version: number): SeatMap => ({
  eventId: EVENT,
  version,
  seats: [{ id: 's1', status: version > 0 ? 'sold' : 'available' }],
});

/** A fake gateway answering `answers` in turn (the last one again once they run out). */
function fakeGateway(answers: { cache?: string; version: number; status?: number }[]) {
  const asked: string[] = [];
  const get = async (path: string): Promise<Answer> => {
    const a = answers[Math.min(asked.length, answers.length - 1)] as (typeof answers)[0];
    asked.push(path);
    const headers: IncomingHttpHeaders = a.cache ? { 'x-cache-status': a.cache } : {};
    return { status: a.status ?? 200, json: mapOf(a.version), headers };
  };
  return { get, asked };
}

describe('seat maps past the gateway cache: the parts', () => {
  it('when nginx names the cache status, then HIT, UPDATING and STALE are copies from before the request and the others are not', () => {
    for (const s of ['HIT', 'UPDATING', 'STALE', 'hit']) expect(fromGatewayCache(s), s).toBe(true);
    for (const s of ['MISS', 'EXPIRED', 'REVALIDATED', 'BYPASS', undefined])
      expect(fromGatewayCache(s), String(s)).toBe(false);
  });

  it('when the gateway answers from its cache, then it is asked again until a replica answered for the request', async () => {
    const gateway = fakeGateway([
      { cache: 'HIT', version: 0 },
      { cache: 'UPDATING', version: 0 },
      { cache: 'HIT', version: 0 },
      { cache: 'EXPIRED', version: 3 },
    ]);
    const map = await currentFromGateway(gateway.get, EVENT, { intervalMs: 1 });
    expect(map.version).toBe(3);
    // The path alone: no query string to split the cache key.
    expect(gateway.asked).toEqual(Array(4).fill(`/api/v1/events/${EVENT}/seats`));
  });

  it('when the gateway caches nothing (no X-Cache-Status) or revalidated, then its first answer is used', async () => {
    const plain = fakeGateway([{ version: 2 }]);
    expect((await currentFromGateway(plain.get, EVENT)).version).toBe(2);
    expect(plain.asked).toHaveLength(1);
    const revalidated = fakeGateway([{ cache: 'REVALIDATED', version: 2 }]);
    expect((await currentFromGateway(revalidated.get, EVENT)).version).toBe(2);
  });

  it('when the gateway keeps answering from its cache, then the read fails instead of returning a map that may be stale', async () => {
    const gateway = fakeGateway([{ cache: 'HIT', version: 0 }]);
    await expect(currentFromGateway(gateway.get, EVENT, { timeoutMs: 50, intervalMs: 5 })).rejects.toThrow(
      /only from its cache/,
    );
    expect(gateway.asked.length).toBeGreaterThan(1);
  });

  it('when a replica of the gateway answered with an error, then the read fails', async () => {
    const gateway = fakeGateway([{ cache: 'MISS', version: 0, status: 404 }]);
    await expect(currentFromGateway(gateway.get, EVENT)).rejects.toThrow(/404/);
  });

  describe('with the local cluster state', () => {
    let dir: string;
    let replica: Server;
    let replicaPort: number;
    let replicaAsked: string[];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tickets-seat-maps-'));
      replicaAsked = [];
      replica = createServer((req, res) => {
        replicaAsked.push(req.url ?? '');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(mapOf(7)));
      });
      await new Promise<void>((resolve) => replica.listen(0, '127.0.0.1', resolve));
      replicaPort = (replica.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => replica?.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    const writeState = (replicaPorts: number[]) => {
      const file = join(dir, 'cluster.json');
      writeFileSync(
        file,
        JSON.stringify({
          gatewayUrl: 'https://127.0.0.1:18443',
          databaseUrl: 'postgres://nobody@127.0.0.1:1/none',
          redisUrls: [],
          replicas: replicaPorts.map((port, i) => ({ id: `r${i + 1}`, port, pid: 1 })),
        }),
      );
      writeFileSync(
        join(dir, 'secrets.json'),
        JSON.stringify({ adminEmail: 'a@x.test', adminPassword: 'p' }),
      );
      return file;
    };

    it('when a replica is listed, then the map is read from it and the gateway is not asked; one that is gone is skipped', async () => {
      const gone = await freePort();
      const gateway = fakeGateway([{ cache: 'HIT', version: 0 }]);
      const reader = seatMapReader({ clusterFile: writeState([gone, replicaPort]), gateway: gateway.get });
      try {
        expect((await reader.current(EVENT)).version).toBe(7);
        expect(replicaAsked.at(-1)).toBe(`/api/v1/events/${EVENT}/seats`);
        expect(gateway.asked).toEqual([]);
      } finally {
        reader.close();
      }
    });

    it('when no listed replica answers, then the gateway is asked until it answers past its cache', async () => {
      const gateway = fakeGateway([
        { cache: 'HIT', version: 0 },
        { cache: 'MISS', version: 5 },
      ]);
      const reader = seatMapReader({
        clusterFile: writeState([await freePort()]),
        gateway: gateway.get,
        polling: { intervalMs: 1 },
      });
      try {
        expect((await reader.current(EVENT)).version).toBe(5);
        expect(gateway.asked).toHaveLength(2);
      } finally {
        reader.close();
      }
    });

    it('when the target is the local gateway, then its replicas are used; for another URL they are not', () => {
      const file = writeState([replicaPort]);
      expect(loadTarget({ runDir: dir }).clusterFile).toBe(file);
      expect(loadTarget({ runDir: dir, url: 'https://127.0.0.1:18443/' }).clusterFile).toBe(file);
      expect(loadTarget({ runDir: dir, url: 'https://tickets.example.test' }).clusterFile).toBeUndefined();
    });
  });
});

// Long enough that the gateway still serves the map from before the sale when it is read
// right after it, however loaded the machine is.
const TTL_SECONDS = 6;

describe('seat maps after a sale on a real cluster whose gateway caches them', () => {
  let cluster: TestCluster;
  let target: Target;
  let client: Api;
  let gatewayOnly: Api;
  let pool: pg.Pool;
  let token: string;
  let buyer: { id: string; token: string };
  let historyDir: string;

  beforeAll(async () => {
    cluster = await startTestCluster(1, { TICKETS_SEATMAP_CACHE_SECONDS: String(TTL_SECONDS) });
    target = loadTarget({ runDir: cluster.runDir });
    client = api(target);
    // An outside cluster: the gateway's URL alone.
    gatewayOnly = api({ baseUrl: target.baseUrl, ca: target.ca });
    pool = new pg.Pool({ connectionString: target.databaseUrl, max: 2 });
    historyDir = mkdtempSync(join(tmpdir(), 'tickets-seat-maps-history-'));
    token = await adminToken(client, target);
    [buyer] = (await signupBuyers(client, 1, randomUUID().slice(0, 8))) as [{ id: string; token: string }];
  }, 240_000);

  afterAll(async () => {
    client?.close();
    gatewayOnly?.close();
    await pool?.end();
    await cluster?.stop();
    if (historyDir) rmSync(historyDir, { recursive: true, force: true });
  }, 120_000);

  /**
   * An event whose map the gateway cached before one seat was sold, and the history of
   * that sale. Returns the map the gateway still serves.
   */
  async function saleBehindTheCache() {
    const event: PreparedEvent = await createEvent(client, token, `Seat maps ${randomUUID().slice(0, 8)}`, [
      { name: 'A', rows: 1, seatsPerRow: 4, priceCents: 1000 },
    ]);
    const before = await client.call('GET', `/api/v1/events/${event.id}/seats`);
    expect(before.headers['x-cache-status']).toBe('MISS');
    const key = randomUUID();
    const request = { quantity: 1, payment: { method: 'test', card: '4242424242424242' } };
    const sold = await client.call('POST', `/api/v1/events/${event.id}/orders`, request, {
      authorization: `Bearer ${buyer.token}`,
      'idempotency-key': key,
    });
    expect(sold.status, JSON.stringify(sold.json)).toBe(201);
    const history = join(historyDir, `${event.id}.jsonl`);
    const line = { key, userId: buyer.id, eventId: event.id, request, at: Date.now() };
    writeFileSync(
      history,
      `${JSON.stringify({ type: 'invoke', ...line })}\n${JSON.stringify({
        type: 'complete',
        ...line,
        outcome: 'ok',
        status: 201,
        orderId: sold.json.id,
        seatIds: sold.json.seats.map((s: { id: string }) => s.id),
      })}\n`,
    );
    const cached = await client.call('GET', `/api/v1/events/${event.id}/seats`);
    // The situation the checker must not be fooled by: the gateway still shows the map
    // from before the sale.
    expect(cached.headers['x-cache-status']).toBe('HIT');
    expect(cached.json.version).toBe(before.json.version);
    return { event, history, cached: cached.json as SeatMap, soldSeat: sold.json.seats[0].id as string };
  }

  it('when the checker runs right after a sale, then it reads the current map from a replica and finds nothing wrong', async () => {
    const { event, history, cached, soldSeat } = await saleBehindTheCache();
    const map = await client.seatMap(event.id);
    expect(map.version).toBeGreaterThan(cached.version);
    expect(map.seats.find((s) => s.id === soldSeat)?.status).toBe('sold');
    // Read past the gateway, not by waiting for it: it still has the old copy.
    const still = await client.call('GET', `/api/v1/events/${event.id}/seats`);
    expect(still.headers['x-cache-status']).toBe('HIT');
    expect(still.json.version).toBe(cached.version);

    const report = await checkRun(client, target.databaseUrl as string, [event.id], [history]);
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ valid: true, ok: 1 });

    // The check is as strict as before: the gateway's stale copy is a violation of I4.
    const stale = await checkInvariants(pool, {
      eventIds: [event.id],
      history: attemptsOf(readHistory([history])),
      seatMaps: [{ eventId: event.id, seats: cached.seats }],
    });
    expect(stale.violations).toEqual([
      { invariant: 'I4', detail: `seat map of ${event.id} shows ${soldSeat} available, stored sold` },
    ]);
  }, 60_000);

  it('when only the gateway URL is known, then the checker waits for an answer the gateway did not take from its cache', async () => {
    const { event, history } = await saleBehindTheCache();
    // The map the gateway holds now shows the seat available, stored sold (I4, as above).
    const report = await checkRun(gatewayOnly, target.databaseUrl as string, [event.id], [history]);
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ valid: true, ok: 1 });
  }, 60_000);
});
