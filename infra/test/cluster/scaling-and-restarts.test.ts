// The local cluster scaled 3 → 5 → 2 under load without a failed request, least_conn
// around a slow replica, and the supervisor: removed replicas stay down, a killed one is
// back within 10 s, one that keeps crashing at start is retried with a growing back-off.
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { clusterCommand, processesOf } from '@tickets/testkit/cluster-cli';
import type { Answer } from '@tickets/testkit/https-client';
import { describe, expect, it } from 'vitest';
import { pollUntil, processAlive } from '../../lib/process.ts';
import {
  adminToken,
  client,
  environOf,
  FACTOR,
  replica,
  replicaOf,
  runDir,
  state,
  statusRow,
  supervisorLog,
  useLocalCluster,
} from './support.ts';

useLocalCluster();

describe('local cluster', () => {
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
});
