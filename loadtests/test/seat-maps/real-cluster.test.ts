// Seat maps read past the gateway's micro-cache on a real cluster whose gateway still
// serves the map from before a sale: the checker finds nothing wrong, and would find the
// stale copy a violation.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '@tickets/testkit/cluster-cli';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../lib/checker.ts';
import { attemptsOf, readHistory } from '../../src/history.ts';
import type { SeatMap } from '../../src/seat-maps.ts';
import {
  type Api,
  adminToken,
  api,
  createEvent,
  loadTarget,
  type PreparedEvent,
  signupBuyers,
  type Target,
} from '../../src/target.ts';
import { checkRun } from '../../src/verify.ts';

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
