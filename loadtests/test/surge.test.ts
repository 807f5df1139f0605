// The surge load test end to end, kept short: a cluster of two replicas of its own,
// `npm run loadtest -- surge` with 20 seats, 200 buyers and a high admission rate,
// and its checker. Asserted: what holds whatever the machine's speed (the checker's
// zeros, everyone admitted, the draw's shuffle, every admitted buyer's definite
// answer, the rate at which the service made admissions due). The rate as the buyers
// saw it is reported, not asserted: on a shared two-core machine it measures the
// machine's answers too (`npm run loadtest -- surge` exits non-zero when it is off).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmRun, startTestCluster, type TestCluster } from '@tickets/testkit/cluster-cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionRate, kendall, spearman } from '../src/surge/stats.ts';
import type { SurgeSummary } from '../src/surge/summary.ts';

let cluster: TestCluster;
let resultsDir: string;

beforeAll(async () => {
  resultsDir = mkdtempSync(join(tmpdir(), 'tickets-surge-results-'));
  cluster = await startTestCluster(2, { TICKETS_RATE_LIMIT_FACTOR: '1000' });
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(resultsDir, { recursive: true, force: true });
}, 120_000);

describe('surge figures', () => {
  it('when orders agree, are reversed or are tied, then the rank correlations say so', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(kendall([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(kendall([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(kendall([1, 2, 3, 4], [1, 1, 2, 2])).toBeCloseTo(0.816, 3);
    expect(spearman([1], [1])).toBeNull();
  });

  it('when admissions come every gap with a pause in the line, then the rate is fitted over the longest busy stretch', () => {
    const gap = 60_000 / 600;
    const busy = Array.from({ length: 50 }, (_, i) => ({
      dueMs: i * gap,
      seenMs: i * gap + 40 + (i % 3) * 10,
    }));
    const later = Array.from({ length: 5 }, (_, i) => ({
      dueMs: 60_000 + i * gap,
      seenMs: 60_000 + i * gap,
    }));
    const rate = admissionRate([...later, ...busy], 600);
    expect(rate.busyAdmissions).toBe(50);
    expect(rate.duePerMinute).toBeCloseTo(600, 0);
    expect(rate.seenError as number).toBeLessThan(0.01);
    expect(rate.seenLagMs.max).toBe(60);
    expect(admissionRate(busy.slice(0, 5), 600).seenPerMinute).toBeNull();
  });
});

describe('surge load test', () => {
  it('when 200 buyers queue for 20 seats, most before the opening, then the pre-open joiners are admitted shuffled, everyone admitted gets a definite answer and nothing is sold twice, lost or made up', async () => {
    const run = await npmRun(
      'loadtest',
      [
        'surge',
        '--seats',
        '20',
        '--buyers',
        '200',
        '--admit-per-minute',
        '2400',
        '--open-in',
        '2',
        '--retry-seconds',
        '10',
      ],
      { TICKETS_RUN_DIR: cluster.runDir, TICKETS_LOADTEST_RESULTS: resultsDir },
      240_000,
    );
    const file = readdirSync(resultsDir).find((f) => f.startsWith('surge-') && f.endsWith('.json'));
    expect(file, run.output).toBeDefined();
    const report = JSON.parse(readFileSync(join(resultsDir, file as string), 'utf8'));
    expect(report, run.output).toMatchObject({ scenario: 'surge', oversold: 0, lost: 0, phantom: 0 });
    expect(report.check.valid, run.output).toBe(true);
    const s = report.surge as SurgeSummary;
    expect(s.seats).toBe(20);
    expect(s.buyers).toMatchObject({ total: 200, preOpen: 180, late: 20 });
    // Everyone was let in, and every admitted buyer bought or was refused for a reason of the sale.
    expect(s.admitted, run.output).toBe(200);
    expect(s.notAdmitted).toEqual({});
    expect(s.admittedUnsettled, run.output).toBe(0);
    expect(s.admittedRefusedWrongly, run.output).toBe(0);
    for (const outcome of Object.keys(s.admittedOutcome))
      expect(outcome, run.output).toMatch(/^(200|201|409 (SOLD_OUT|SEAT_UNAVAILABLE|LIMIT_EXCEEDED))$/);
    expect(s.seatsSold).toBe(20);
    expect(s.admittedOutcome['201'] ?? 0).toBeGreaterThan(0);
    // Pre-open joiners were not admitted in the order they joined (180 pairs: ρ's standard
    // deviation under a random order is about 0.075); late joiners were, about.
    expect(s.order.preOpen.buyers).toBe(180);
    expect(Math.abs(s.order.preOpen.spearman ?? 1), run.output).toBeLessThan(0.4);
    expect(Math.abs(s.order.preOpen.kendall ?? 1), run.output).toBeLessThan(0.3);
    expect(s.order.late.buyers).toBe(20);
    expect(s.order.late.spearman ?? 0, run.output).toBeGreaterThan(0.5);
    // The gate's refusals were met and counted: before the opening, and without a token.
    expect(s.refusals.salesNotOpen).toBeGreaterThan(0);
    expect(s.refusals.admissionRequired).toBeGreaterThanOrEqual(0);
    expect(Object.keys(s.eager.beforeOpening)).toEqual(['409 SALES_NOT_OPEN']);
    // The service made admissions due at the configured rate; the buyers' view is reported.
    expect(s.rate.duePerMinute).not.toBeNull();
    expect(Math.abs((s.rate.duePerMinute as number) - 2400) / 2400).toBeLessThan(0.1);
    expect(s.rate.seenPerMinute).not.toBeNull();
    expect(s.admittedLatency.samples).toBeGreaterThanOrEqual(200);
    expect(run.code, run.output).toBe(report.failures.length ? 1 : 0);
    expect(run.output).toContain('order, pre-open');
    const page = readdirSync(resultsDir).find((f) => f.startsWith('surge-') && f.endsWith('.html'));
    expect(readFileSync(join(resultsDir, page as string), 'utf8')).toContain('Surge: the waiting room');
  }, 300_000);
});
