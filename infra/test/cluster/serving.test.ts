// The local cluster serves through its gateway: the printed HTTPS URL with its own
// certificate, HTTP redirected, every replica used and each event's purchases kept on one;
// and when it goes down, nothing it started is left.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterCommand, processesOf } from '@tickets/testkit/cluster-cli';
import { describe, expect, it } from 'vitest';
import { gatewayLimits } from '../../lib/gateway-limits.ts';
import { testGatewayConfig, workerPids } from '../../lib/nginx.ts';
import { processAlive } from '../../lib/process.ts';
import {
  adminToken,
  client,
  environOf,
  FACTOR,
  printed,
  replicaOf,
  runDir,
  state,
  useLocalCluster,
} from './support.ts';

useLocalCluster();

let everyPid: number[] = [];

describe('local cluster', () => {
  it('when it is up, then the printed HTTPS URL serves the demo event with the generated certificate', async () => {
    const s = state();
    expect(printed).toContain(`ready: ${s.gatewayUrl}`);
    expect(s.replicas.map((r) => r.id)).toEqual(['r1', 'r2', 'r3']);
    expect(s.redisUrls).toHaveLength(3);
    expect(s.adminEmail).toBe('admin@tickets.local');
    const events = await client.call('GET', '/api/v1/events');
    expect(events.status).toBe(200);
    expect(JSON.parse(events.body).items.map((e: { title: string }) => e.title)).toContain('Demo Concert');
    expect(events.headers['strict-transport-security']).toContain('max-age=');
    expect(events.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    const page = await client.call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    expect((await client.call('GET', '/metrics')).status).toBe(404);
    testGatewayConfig(join(runDir, 'gateway'));
  });

  it('when it is started with TICKETS_RATE_LIMIT_FACTOR, then the gateway and every replica run with it, and cluster.json keeps it', () => {
    expect(state().rateLimitFactor).toBe(Number(FACTOR));
    expect(printed).toContain(`multiplied by ${FACTOR} (TICKETS_RATE_LIMIT_FACTOR)`);
    const conf = readFileSync(join(runDir, 'gateway/nginx.conf'), 'utf8');
    const limits = gatewayLimits(Number(FACTOR));
    expect(conf).toContain(`rate=${limits.apiRatePerSecond}r/s;`);
    expect(conf).toContain(`limit_conn streams_per_address ${limits.streamsPerAddress};`);
    for (const r of state().replicas) {
      expect(environOf(r.pid), r.id).toContain(`TICKETS_RATE_LIMIT_FACTOR=${FACTOR}`);
      // The local development cluster is where a demo admin password is allowed.
      expect(environOf(r.pid), r.id).toContain('TICKETS_ALLOW_WEAK_SECRETS=1');
    }
  });

  it('when plain HTTP is used, then it redirects to HTTPS', async () => {
    const s = state();
    const res = await fetch(`http://127.0.0.1:${s.httpPort}/api/v1/events`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`https://127.0.0.1:${s.httpsPort}/api/v1/events`);
  });

  it('when requests arrive, then every replica serves some of them', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add(replicaOf(await client.call('GET', '/api/v1/events')));
    expect(seen).toEqual(new Set(['r1', 'r2', 'r3']));
  });

  it('when buyers hold and buy seats of an event, then they all reach one replica, and other events use the others', async () => {
    const token = await adminToken();
    const signup = await client.call('POST', '/api/v1/auth/signup', {
      body: {
        email: `affinity-${randomUUID().slice(0, 8)}@example.test`,
        password: 'correct horse battery',
        name: 'A',
      },
    });
    const buyer = { authorization: `Bearer ${JSON.parse(signup.body).token}` };
    const byEvent = new Map<string, Set<string>>();
    // Twelve events: the chance that a consistent hash puts them all on one of
    // three replicas is (1/3)^11.
    for (let e = 0; e < 12; e++) {
      const created = await client.call('POST', '/api/v1/admin/events', {
        headers: { authorization: `Bearer ${token}` },
        body: {
          title: `Affinity ${e}`,
          venue: 'Hall',
          startsAt: new Date(Date.now() + 86_400_000).toISOString(),
          currency: 'EUR',
          layout: { sections: [{ name: 'A', rows: 1, seatsPerRow: 10, priceCents: 1000 }] },
        },
      });
      const eventId = JSON.parse(created.body).id as string;
      const replicas = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const held = await client.call('POST', `/api/v1/events/${eventId}/holds`, {
          headers: buyer,
          body: { quantity: 1 },
        });
        expect(held.status).toBe(201);
        replicas.add(replicaOf(held));
        const bought = await client.call('POST', `/api/v1/events/${eventId}/orders`, {
          headers: { ...buyer, 'idempotency-key': randomUUID() },
          body: { quantity: 1, payment: { method: 'test', card: '4242424242424242' } },
        });
        expect(bought.status).toBe(201);
        replicas.add(replicaOf(bought));
      }
      byEvent.set(eventId, replicas);
    }
    for (const replicas of byEvent.values()) expect(replicas.size).toBe(1);
    const used = new Set([...byEvent.values()].flatMap((r) => [...r]));
    expect(used.size).toBeGreaterThan(1);
  });

  it('when it goes down, then no process it started is left', async () => {
    const s = state();
    const nginxWorkers = workerPids(s.gatewayPid);
    expect(s.supervisorPid).toBeDefined();
    everyPid = [
      s.gatewayPid,
      ...nginxWorkers,
      s.supervisorPid as number,
      ...s.replicas.map((r) => r.pid),
      ...s.redis.map((r) => r.pid),
    ];
    const postmaster = Number(
      readFileSync(join(s.postgres.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    everyPid.push(postmaster);
    const res = await clusterCommand(runDir, ['down']);
    expect(res.code, res.output).toBe(0);
    for (const pid of everyPid) expect(processAlive(pid), `pid ${pid}`).toBe(false);
    expect(processesOf(runDir)).toEqual([]);
    expect(existsSync(join(runDir, 'cluster.json'))).toBe(false);
    const again = await clusterCommand(runDir, ['status']);
    expect(again.output).toContain('not running');
  }, 120_000);
});
