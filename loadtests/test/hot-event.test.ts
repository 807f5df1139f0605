// The load-test feature end to end, kept short: a cluster with three replicas,
// `npm run loadtest -- hot-event` with overlapping seats and quantity requests,
// and its checker. Correctness only; speed is measured by the benchmarks.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmRun, startTestCluster, type TestCluster } from '../../infra/test/support/cluster-cli.ts';

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
    const html = readdirSync(resultsDir).find((f) => f.endsWith('.html'));
    expect(readFileSync(join(resultsDir, html as string), 'utf8')).toContain('Invariants hold');
  }, 300_000);
});
