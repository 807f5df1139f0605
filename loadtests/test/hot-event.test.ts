// The load-test feature end to end, kept short: a cluster with three replicas,
// `npm run loadtest -- hot-event` with overlapping seats and quantity requests,
// and its checker. Correctness only; speed is measured by the benchmarks.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmRun, startTestCluster, type TestCluster } from '@tickets/testkit/cluster-cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let cluster: TestCluster;
let resultsDir: string;

beforeAll(async () => {
  resultsDir = mkdtempSync(join(tmpdir(), 'tickets-loadtest-results-'));
  cluster = await startTestCluster(3);
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(resultsDir, { recursive: true, force: true });
}, 120_000);

const loadtest = (args: string[]) =>
  npmRun(
    'loadtest',
    args,
    { TICKETS_RUN_DIR: cluster.runDir, TICKETS_LOADTEST_RESULTS: resultsDir },
    240_000,
  );

describe('hot-event load test', () => {
  it('when 2,000 purchase attempts race for 200 seats on three replicas, then every seat is sold once and the checker finds nothing', async () => {
    const run = await loadtest([
      'hot-event',
      '--seats',
      '200',
      '--amount',
      '2000',
      '--connections',
      '24',
      '--buyers',
      '24',
      '--reference-seconds',
      '2',
    ]);
    expect(run.code, run.output).toBe(0);
    const file = readdirSync(resultsDir).find((f) => f.startsWith('hot-event-') && f.endsWith('.json'));
    const report = JSON.parse(readFileSync(join(resultsDir, file as string), 'utf8'));
    expect(report).toMatchObject({ scenario: 'hot-event', oversold: 0, lost: 0, phantom: 0 });
    expect(report.attempted).toBeGreaterThanOrEqual(2000);
    expect(report.check.valid).toBe(true);
    expect(report.details.seatsSold).toBe(report.details.seats);
    expect(report.details.seats).toBe(200);
    expect(report.reference.value).toBeGreaterThan(0);
    // The sale over time and CPU per process group (counts and names only; no timing).
    expect(report.purchasesPerSecond).toBeGreaterThan(0);
    expect(report.sales.confirmed + report.sales.confirmedByRetry).toBe(report.ok);
    expect(report.sales.seatsSold.at(-1)).toBe(report.sales.seatsConfirmed);
    expect(report.sales.seatsConfirmed).toBeLessThanOrEqual(200);
    expect(report.cpu.groups.map((g: { group: string }) => g.group).sort()).toEqual(
      ['PostgreSQL', 'Redis', 'load generator', 'nginx', 'replicas'].sort(),
    );
    expect(report.cpu.groups.find((g: { group: string }) => g.group === 'replicas').members).toHaveLength(3);
    expect(run.output).toContain('purchases/s (confirmed, while selling');
    const html = readdirSync(resultsDir).find((f) => f.startsWith('hot-event-') && f.endsWith('.html'));
    const page = readFileSync(join(resultsDir, html as string), 'utf8');
    expect(page).toContain('Invariants hold');
    expect(page).toContain('CPU per process');
  }, 300_000);
});

describe('watch load test', () => {
  it('when 20 subscribers follow an event while its 50 seats sell, then every subscriber sees every sold seat', async () => {
    const run = await loadtest([
      'watch',
      '--subscribers',
      '20',
      '--seats',
      '50',
      '--amount',
      '40',
      '--rate',
      '20',
      '--connections',
      '4',
      '--generators',
      '1',
      '--buyers',
      '6',
    ]);
    expect(run.code, run.output).toBe(0);
    const file = readdirSync(resultsDir).find((f) => f.startsWith('watch-') && f.endsWith('.json'));
    const report = JSON.parse(readFileSync(join(resultsDir, file as string), 'utf8'));
    expect(report).toMatchObject({ scenario: 'watch', oversold: 0, lost: 0, phantom: 0, failures: [] });
    expect(report.check.valid).toBe(true);
    const watch = report.watch;
    expect(watch).toMatchObject({
      subscribers: 20,
      connected: 20,
      connectFailures: 0,
      disconnects: 0,
      missedPairs: 0,
      subscribersMissingChanges: 0,
    });
    expect(watch.orders).toBeGreaterThan(0);
    expect(watch.pairs).toBe(watch.orders * 20);
    expect(watch.seatsSold).toBe(report.details.seatsSold);
    expect(watch.latency.samples).toBe(watch.ordersTimed * 20);
    // Spread over the replicas by the gateway.
    expect(Object.values(watch.perReplica).reduce((a, b) => Number(a) + Number(b), 0)).toBe(20);
    expect(report.cpu.groups.map((g: { group: string }) => g.group)).toContain('watch subscribers');
  }, 120_000);
});
