// The local cluster as ops use it: the real `npm run cluster` command, real
// nginx with TLS, PostgreSQL, three Redis masters and replica processes, all on
// loopback in a temporary run directory.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  clusterCommand,
  processesOf,
  startTestCluster,
  type TestCluster,
} from '@tickets/testkit/cluster-cli';
import { type Answer, httpsClient } from '@tickets/testkit/https-client';
import { TEST_RATE_LIMIT_FACTOR } from '@tickets/testkit/rate-limit-factor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../cluster/state.ts';
import { gatewayLimits } from '../lib/gateway-limits.ts';
import { testGatewayConfig, workerPids } from '../lib/nginx.ts';
import { pollUntil, processAlive } from '../lib/process.ts';

let cluster: TestCluster;
let runDir: string;
let printed: string;
let client: ReturnType<typeof httpsClient>;
const state = () => JSON.parse(readFileSync(join(runDir, 'cluster.json'), 'utf8')) as ClusterState;
const replicaOf = (a: Answer) => String(a.headers['x-replica-id']);
const replica = (id: string) => {
  const found = state().replicas.find((r) => r.id === id);
  if (!found) throw new Error(`no ${id} in cluster.json`);
  return found;
};
const supervisorLog = () => readFileSync(join(runDir, 'logs/supervisor.log'), 'utf8');
/** The environment a process was started with. */
const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
// What the test harness starts every cluster with (packages/testkit/src/global-setup.ts).
const FACTOR = TEST_RATE_LIMIT_FACTOR;
/** The row of `cluster status` for one replica, split into its columns. */
async function statusRow(id: string): Promise<string> {
  const res = await clusterCommand(runDir, ['status']);
  expect(res.code, res.output).toBe(0);
  const row = res.output.split('\n').find((line) => line.startsWith(`${id} `));
  if (!row) throw new Error(`no row for ${id} in:\n${res.output}`);
  return row;
}
let everyPid: number[] = [];

beforeAll(async () => {
  cluster = await startTestCluster(3);
  runDir = cluster.runDir;
  printed = cluster.output;
  client = httpsClient(state().gatewayUrl, readFileSync(join(runDir, 'tls/gateway.crt'), 'utf8'));
}, 240_000);

afterAll(async () => {
  client?.close();
  await cluster?.stop();
}, 120_000);

async function adminToken(): Promise<string> {
  const secrets = JSON.parse(readFileSync(join(runDir, 'secrets.json'), 'utf8'));
  const res = await client.call('POST', '/api/v1/auth/login', {
    body: { email: secrets.adminEmail, password: secrets.adminPassword },
  });
  return JSON.parse(res.body).token;
}

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

  it('when the cluster scales 3 → 5 → 2 during browsing and buying, then no request fails', async () => {
    const token = await adminToken();
    const created = await client.call('POST', '/api/v1/admin/events', {
      headers: { authorization: `Bearer ${token}` },
      body: {
        title: 'Scaling test',
        venue: 'Hall',
        startsAt: new Date(Date.now() + 86400_000).toISOString(),
        currency: 'EUR',
        layout: { sections: [{ name: 'A', rows: 40, seatsPerRow: 50, priceCents: 1000 }] },
      },
    });
    const eventId = JSON.parse(created.body).id;
    const buyers = await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const res = await client.call('POST', '/api/v1/auth/signup', {
          body: {
            email: `scaler-${i}-${randomUUID().slice(0, 6)}@example.test`,
            password: 'scaling test pw',
            name: 'S',
          },
        });
        return JSON.parse(res.body).token as string;
      }),
    );

    const failures: string[] = [];
    const counts = { browse: 0, buy: 0 };
    const served = new Set<string>();
    let running = true;
    const worker = async (i: number) => {
      while (running) {
        const buying = i < buyers.length;
        const res = await (buying
          ? client.call('POST', `/api/v1/events/${eventId}/orders`, {
              headers: { authorization: `Bearer ${buyers[i]}`, 'idempotency-key': randomUUID() },
              body: { quantity: 1, payment: { method: 'test', card: '4242424242424242' } },
            })
          : // The event, not its seat map: the gateway micro-caches seat maps, and
            // this traffic must reach the replicas to show where it is routed.
            client.call('GET', `/api/v1/events/${eventId}`)
        ).catch((err: Error) => ({ status: 0, headers: {}, body: err.message }) as Answer);
        if (res.status === 0 || res.status >= 500) failures.push(`${res.status} ${res.body.slice(0, 200)}`);
        else served.add(replicaOf(res));
        counts[buying ? 'buy' : 'browse']++;
      }
    };
    const workers = Array.from({ length: 8 }, (_, i) => worker(i));
    // New replicas get the cluster's factor (cluster.json), not the one `scale` is run with.
    const up = await clusterCommand(runDir, ['scale', '5'], 180_000, { TICKETS_RATE_LIMIT_FACTOR: '7' });
    expect(up.code, up.output).toBe(0);
    const scaledUp = state().replicas;
    expect(scaledUp.map((r) => r.id)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    for (const r of scaledUp.slice(3)) {
      expect(environOf(r.pid), r.id).toContain(`TICKETS_RATE_LIMIT_FACTOR=${FACTOR}`);
    }
    await pollUntil(() => served.has('r4') && served.has('r5'), 'traffic to reach the new replicas', 30_000);
    const down = await clusterCommand(runDir, ['scale', '2']);
    expect(down.code, down.output).toBe(0);
    const afterDown = counts.browse + counts.buy;
    await pollUntil(() => counts.browse + counts.buy > afterDown + 50, 'traffic after scaling down', 30_000);
    running = false;
    await Promise.all(workers);

    expect(failures).toEqual([]);
    console.log(
      `scaling: ${JSON.stringify(counts)}, resent after a keep-alive close: ${client.stats.retriedOnReusedSocket}`,
    );
    expect(counts.buy).toBeGreaterThan(20);
    expect(counts.browse).toBeGreaterThan(50);
    expect(state().replicas.map((r) => r.id)).toEqual(['r1', 'r2']);
    for (const removed of scaledUp.slice(2)) expect(processAlive(removed.pid), removed.id).toBe(false);
  }, 180_000);

  it('when scale removes replicas, then the supervisor does not start them again', async () => {
    // Longer than the first back-off (0.5 s) and a replica's start.
    await delay(3_000);
    expect(state().replicas.map((r) => r.id)).toEqual(['r1', 'r2']);
    for (const id of ['r3', 'r4', 'r5']) expect(processesOf(runDir, id), id).toEqual([]);
    expect(supervisorLog()).not.toMatch(/ended|started again/);
  });

  it('when one replica is made slow, then least_conn sends new requests to the others', async () => {
    const grown = await clusterCommand(runDir, ['scale', '3']);
    expect(grown.code, grown.output).toBe(0);
    const slow = state().replicas.find((r) => r.id === 'r1');
    if (!slow) throw new Error('no r1');
    process.kill(slow.pid, 'SIGSTOP');
    const answers: Answer[] = [];
    let running = true;
    try {
      // A closed loop of 6 clients: a request stuck on the stopped replica holds
      // its client. Round-robin would soon have every client stuck there;
      // least_conn gives r1 a request only while it has the fewest open ones.
      const clients = Array.from({ length: 6 }, async () => {
        while (running) answers.push(await client.call('GET', '/api/v1/events'));
      });
      await pollUntil(() => answers.length >= 60, '60 answers from the other replicas', 60_000);
      running = false;
      process.kill(slow.pid, 'SIGCONT');
      await Promise.all(clients);
    } finally {
      running = false;
      process.kill(slow.pid, 'SIGCONT');
    }
    const toSlow = answers.filter((a) => replicaOf(a) === 'r1').length;
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(toSlow / answers.length).toBeLessThan(0.1);
  }, 120_000);

  it('when a replica is killed with SIGKILL, then requests keep succeeding, and within 10 s it is restarted and served again', async () => {
    const victim = replica('r2');
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    await pollUntil(() => !processAlive(victim.pid), 'the replica to die');
    const answers: Answer[] = [];
    for (let i = 0; i < 30; i++) answers.push(await client.call('GET', '/api/v1/events'));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));

    // Nobody runs a command: the supervisor starts it again and the gateway routes to it.
    let servedBy = '';
    await pollUntil(
      async () => {
        const res = await client.call('GET', '/api/v1/events');
        expect(res.status).toBe(200);
        servedBy = replicaOf(res);
        return servedBy === 'r2';
      },
      'r2 to answer through the gateway again',
      10_000 - (Date.now() - killedAt),
      50,
    );
    console.log(`supervision: r2 answered again ${Date.now() - killedAt} ms after SIGKILL`);
    const back = replica('r2');
    expect(back.pid).not.toBe(victim.pid);
    expect(processAlive(back.pid)).toBe(true);
    expect(back.port).toBe(victim.port); // its port was free: same upstream, same events
    expect(back.restarts).toBe(1);
    expect(back.lastExit).toMatchObject({ signal: 'SIGKILL', code: null });
    expect(back.nextRestartAt).toBeUndefined();
    expect(environOf(back.pid)).toContain(`TICKETS_RATE_LIMIT_FACTOR=${FACTOR}`);
    const row = (await statusRow('r2')).split(/\s+/);
    // replica port pid ready in-flight served restarts last-exit…
    expect(row.slice(0, 4)).toEqual(['r2', String(back.port), String(back.pid), 'yes']);
    expect(row[6]).toBe('1');
    expect(row[7]).toBe('SIGKILL');
    for (const other of ['r1', 'r3']) expect(replica(other).restarts ?? 0).toBe(0);
  }, 30_000);

  it('when a replica keeps crashing at start, then it is started again with a growing back-off, shown by status, until it starts', async () => {
    // r4 gets a preload that ends it with code 3 while a marker file exists (a
    // replica started with a broken configuration, say). The supervisor starts a
    // replica again with the environment it was first started with.
    const preload = join(runDir, 'crash-at-start.cjs');
    const marker = join(runDir, 'crash-at-start');
    writeFileSync(
      preload,
      `if (require('node:fs').existsSync(${JSON.stringify(marker)})) { console.error('crashing at start'); process.exit(3); }\n`,
    );
    const grown = await clusterCommand(runDir, ['scale', '4'], 180_000, {
      NODE_OPTIONS: `--require ${preload}`,
    });
    expect(grown.code, grown.output).toBe(0);
    const first = replica('r4');
    writeFileSync(marker, '');
    const killedAt = Date.now();
    process.kill(first.pid, 'SIGKILL');

    // Restarts after 0.5 s, 1 s and 2 s, each ending at once; the next waits 4 s.
    await pollUntil(
      () => (replica('r4').restarts ?? 0) >= 3 && replica('r4').nextRestartAt !== undefined,
      'three failed restarts of r4',
      20_000,
      50,
    );
    const crashing = replica('r4');
    expect(crashing.restarts).toBe(3);
    expect(crashing.lastExit).toMatchObject({ code: 3, signal: null });
    expect(processAlive(crashing.pid)).toBe(false);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(3_500);
    const row = await statusRow('r4');
    expect(row).toMatch(
      /^r4\s+\d+\s+\d+\s+NO\s+-\s+-\s+3\s+code 3 \d+s ago\s+\d+s ago, back-off: next in \d+s$/,
    );
    const delays = [
      ...supervisorLog().matchAll(/r4 \(pid \d+\) ended: [^;]+; restart (\d+) in ([\d.]+) s/g),
    ].map((m) => [Number(m[1]), Number(m[2])]);
    expect(delays).toEqual([
      [1, 0.5],
      [2, 1],
      [3, 2],
      [4, 4],
    ]);

    // Fixed: the next attempt (4 s after the last) starts and stays.
    rmSync(marker);
    await pollUntil(
      async () => processAlive(replica('r4').pid) && /\syes\s/.test(await statusRow('r4')),
      'r4 to start after its back-off',
      20_000,
      200,
    );
    expect(replica('r4').restarts).toBe(4);
    expect(replica('r4').nextRestartAt).toBeUndefined();

    const shrunk = await clusterCommand(runDir, ['scale', '3']);
    expect(shrunk.code, shrunk.output).toBe(0);
    await delay(2_000);
    expect(processesOf(runDir, 'r4')).toEqual([]);
  }, 90_000);

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
