// The shared shape of every purchase scenario: prepare events and buyers, run the
// timed load (sampling CPU per process), settle indeterminate requests, check
// I1–I5, measure the reference, report.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuSource } from '../cpu.ts';
import { streamHistory } from '../history.ts';
import type { PurchaseMix } from '../plan.ts';
import { clusterSources, hasCluster } from '../processes.ts';
import { checkFigures, limitedBy, machine, type Report, resultsDir } from '../report.ts';
import { type LoadResult, runLoad } from '../run-load.ts';
import { summarizeHistory } from '../sales-timeline.ts';
import type { Api, PreparedBuyer, PreparedEvent, Target } from '../target.ts';
import { checkRun, settleIndeterminate } from '../verify.ts';
import { type WarmUp, warmUp } from './warm-up.ts';

export interface PurchaseRun {
  scenario: string;
  target: Target;
  client: Api;
  events: PreparedEvent[];
  buyers: PreparedBuyer[];
  mix: Omit<PurchaseMix, 'events' | 'buyers'>;
  connections: number;
  generators: number;
  amount?: number;
  durationSeconds: number;
  /** With `amount`: the load stops after this many seconds even if not all were sent. */
  capSeconds?: number;
  /** Purchase attempts per second over all generators (none: as fast as they go). */
  rate?: number;
  /** More processes to sample CPU of (the cluster's and the generators' are always sampled). */
  cpu?: CpuSource[];
  reference: (() => Promise<{ name: string; value: number }>) | null;
  /** The same mix on other events first (warm-up.ts): not measured, checked. */
  warmup?: WarmUp;
  /** Which figure the ratio compares with the reference. */
  measure: 'purchases' | 'attempts';
  systemLimit: string;
}

/**
 * What a scenario adds around the timed part (the soak's background load and samples):
 * started just before the load, stopped just after it; `afterCheck` may add failures and
 * details, `decorate` anything else to the report. A hook that throws is a failure of the
 * run, not a lost report.
 */
export interface PurchaseHooks {
  beforeLoad?: () => Promise<void> | void;
  afterLoad?: () => Promise<void> | void;
  afterCheck?: (ctx: {
    files: string[];
    startedAtMs: number;
  }) => Promise<{ failures: string[]; details: Record<string, unknown> }>;
  decorate?: (report: Report) => void;
}

const emptyLoad = (startedAtMs: number): LoadResult => ({
  requests: 0,
  errors: 0,
  timeouts: 0,
  durationSeconds: 0,
  throughput: 0,
  p50Ms: 0,
  p90Ms: 0,
  p99Ms: 0,
  outcomes: {},
  generatorCpuPercent: [],
  timeline: [],
  startedAtMs,
});

/**
 * Every step after the preparation runs in its own try: one that fails is named in the
 * report's `failures` (which fails the run) and the report is still made of whatever the
 * other steps found, so a long run's figures are never lost to a late error (issue #15).
 * The history is only ever streamed (history.ts) and summed up with fixed-size
 * statistics (sales-timeline.ts, stats.ts).
 */
export async function runPurchaseScenario(run: PurchaseRun & { hooks?: PurchaseHooks }): Promise<Report> {
  if (!run.target.databaseUrl)
    throw new Error('purchase scenarios check the database: run them against a local cluster');
  const databaseUrl = run.target.databaseUrl;
  const startedAt = new Date().toISOString();
  mkdirSync(resultsDir, { recursive: true });
  const historyBase = join(
    resultsDir,
    `${run.scenario}-${startedAt.replaceAll(':', '-').replace(/\..*/, '')}.history.jsonl`,
  );
  const failures: string[] = [];
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      const e = err as Error;
      failures.push(`${name} failed: ${e.message}`);
      console.error(`  ${name} failed: ${e.stack ?? e.message}`);
      return undefined;
    }
  };
  const hooks = run.hooks ?? {};
  const warm = run.warmup
    ? await step('warm-up', () => warmUp(run, run.warmup as WarmUp, historyBase))
    : undefined;
  await step('start of the background', async () => hooks.beforeLoad?.());
  const loadStartedAtMs = Date.now();
  const load =
    (await step('load', () =>
      runLoad(
        {
          baseUrl: run.target.baseUrl,
          ca: run.target.ca,
          connectAtStart: run.target.connectAtStart,
          connections: run.connections,
          amount: run.amount,
          durationSeconds: run.durationSeconds,
          capSeconds: run.capSeconds,
          rate: run.rate,
          historyFile: historyBase,
          purchase: { ...run.mix, events: run.events, buyers: run.buyers },
        },
        run.generators,
        run.scenario,
        {
          cpu: [
            ...(hasCluster(run.target.runDir) ? clusterSources(run.target.runDir) : []),
            ...(run.cpu ?? []),
          ],
        },
      ),
    )) ?? emptyLoad(loadStartedAtMs);
  await step('stop of the background', async () => hooks.afterLoad?.());
  const files = Array.from({ length: run.generators }, (_, g) => `${historyBase}.${g}`).filter((f) =>
    existsSync(f),
  );
  const retryFile = `${historyBase}.retries`;
  const retried = await step('settling indeterminate purchases', () =>
    settleIndeterminate(run.client, files, run.buyers, retryFile),
  );
  const allFiles = existsSync(retryFile) ? [...files, retryFile] : files;
  // Undefined when the checker failed: the report says so in its failures, not as a violation.
  const check = await step('checker', () =>
    checkRun(
      run.client,
      databaseUrl,
      run.events.map((e) => e.id),
      allFiles,
    ),
  );

  if (check && warm && !warm.valid) {
    check.valid = false;
    check.violations.push(...warm.violations.map((v) => ({ ...v, detail: `warm-up: ${v.detail}` })));
  }

  const summary = await step('history summary', () =>
    summarizeHistory(allFiles, load.startedAtMs, streamHistory),
  );
  const firstAt = summary?.firstSentAt ?? load.startedAtMs;
  const lastOk = summary?.lastOkAt ?? firstAt;
  const okCount = summary?.okAnswers ?? 0;
  const sellingSeconds = Math.max(0.001, (lastOk - firstAt) / 1000);
  const purchasesPerSecond = okCount / sellingSeconds;
  const measured = run.measure === 'purchases' ? purchasesPerSecond : load.throughput;

  const extra = hooks.afterCheck
    ? await step('after-check', () =>
        (hooks.afterCheck as NonNullable<PurchaseHooks['afterCheck']>)({
          files: allFiles,
          startedAtMs: load.startedAtMs,
        }),
      )
    : undefined;
  if (extra) failures.push(...extra.failures);

  if (run.reference) console.log(`  reference: measuring…`);
  const reference = run.reference
    ? ((await step('reference', run.reference as () => Promise<{ name: string; value: number }>)) ?? null)
    : null;
  const seats = run.events.reduce((n, e) => n + e.seatIds.length, 0);
  const report: Report = {
    scenario: run.scenario,
    startedAt,
    machine: machine(),
    ...checkFigures(check),
    throughput: load.throughput,
    purchasesPerSecond,
    sales: summary?.sales,
    cpu: load.cpu,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    reference,
    ratio: reference ? measured / reference.value : null,
    generatorCpuPercent: load.generatorCpuPercent,
    limitedBy: load.generatorCpuPercent.length ? limitedBy(load, run.systemLimit) : run.systemLimit,
    ...(failures.length ? { failures } : {}),
    details: {
      measuredForRatio:
        run.measure === 'purchases'
          ? 'confirmed purchases per second while selling'
          : 'answered requests per second',
      purchasesPerSecond,
      secondsUntilLastSale: sellingSeconds,
      seats,
      seatsSold: await step('seats sold', () => soldSeats(run)),
      retriedIndeterminate: retried ?? null,
      historyLines: summary?.lines ?? null,
      warmup:
        warm && run.warmup
          ? { seconds: run.warmup.seconds, eventIds: run.warmup.events.map((e) => e.id), ...warm }
          : null,
      historyFiles: allFiles,
      ...(extra?.details ?? {}),
    },
    load,
    check,
  };
  if (hooks.decorate) {
    try {
      hooks.decorate(report);
    } catch (err) {
      failures.push(`report decoration failed: ${(err as Error).message}`);
      report.failures = failures;
    }
  }
  return report;
}

// Read like the checker's maps, in parallel: through a gateway alone, each read may wait
// for the cached copy to expire (seat-maps.ts).
async function soldSeats(run: PurchaseRun): Promise<number> {
  const maps = await Promise.all(run.events.map((e) => run.client.seatMap(e.id)));
  return maps.reduce((sold, map) => sold + map.seats.filter((s) => s.status === 'sold').length, 0);
}
