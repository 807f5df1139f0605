// Seat maps the checker compares with the database are read as they are now, past the
// gateway's micro-cache (src/seat-maps.ts): from a replica of the local cluster, or through
// the gateway only from an answer it did not take from its cache. Here the parts alone,
// with a fake replica and gateway.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@tickets/infra/free-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  currentFromGateway,
  fromGatewayCache,
  type SeatMap,
  seatMapReader,
} from '../../src/seat-maps.ts';
import { loadTarget } from '../../src/target.ts';

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
