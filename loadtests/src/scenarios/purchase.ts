// The shared shape of every purchase scenario: prepare events and buyers, run the
// timed load (sampling CPU per process), settle indeterminate requests, check
// I1–I5, measure the reference, report.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CpuSource } from '../cpu.ts';
import { readHistory } from '../history.ts';
import type { PurchaseMix } from '../plan.ts';
import { clusterSources, hasCluster } from '../processes.ts';
import { limitedBy, machine, type Report, resultsDir } from '../report.ts';
import { runLoad } from '../run-load.ts';
import { salesTimeline } from '../sales-timeline.ts';
import type { Api, PreparedBuyer, PreparedEvent, Target } from '../target.ts';
import { checkRun, settleIndeterminate } from '../verify.ts';

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
  /** Purchase attempts per second over all generators (none: as fast as they go). */
  rate?: number;
  /** More processes to sample CPU of (the cluster's and the generators' are always sampled). */
  cpu?: CpuSource[];
  reference: (() => Promise<{ name: string; value: number }>) | null;
  /**
   * The same mix on other events first (every replica gets some), so that the measured sale meets warm
   * replicas (JIT, pools, caches) as a real on-sale moment does. Not measured; checked.
   */
  warmup?: { events: PreparedEvent[]; seconds: number };
  /** Which figure the ratio compares with the reference. */
  measure: 'purchases' | 'attempts';
  systemLimit: string;
}

export async function runPurchaseScenario(run: PurchaseRun): Promise<Report> {
  if (!run.target.databaseUrl)
    throw new Error('purchase scenarios check the database: run them against a local cluster');
  const startedAt = new Date().toISOString();
  mkdirSync(resultsDir, { recursive: true });
  const historyBase = join(
    resultsDir,
    `${run.scenario}-${startedAt.replaceAll(':', '-').replace(/\..*/, '')}.history.jsonl`,
  );
  const warm = run.warmup ? await warmUp(run, run.warmup, historyBase) : undefined;
  const load = await runLoad(
    {
      baseUrl: run.target.baseUrl,
      ca: run.target.ca,
      connections: run.connections,
      amount: run.amount,
      durationSeconds: run.durationSeconds,
      rate: run.rate,
      historyFile: historyBase,
      purchase: { ...run.mix, events: run.events, buyers: run.buyers },
    },
    run.generators,
    run.scenario,
    {
      cpu: [...(hasCluster(run.target.runDir) ? clusterSources(run.target.runDir) : []), ...(run.cpu ?? [])],
    },
  );
  const files = Array.from({ length: run.generators }, (_, g) => `${historyBase}.${g}`).filter((f) =>
    existsSync(f),
  );
  const retryFile = `${historyBase}.retries`;
  const retried = await settleIndeterminate(run.client, files, run.buyers, retryFile);
  const allFiles = existsSync(retryFile) ? [...files, retryFile] : files;
  const check = await checkRun(
    run.client,
    run.target.databaseUrl,
    run.events.map((e) => e.id),
    allFiles,
  );

  if (warm && !warm.valid) {
    check.valid = false;
    check.violations.push(...warm.violations.map((v) => ({ ...v, detail: `warm-up: ${v.detail}` })));
  }

  const history = readHistory(allFiles);
  const completions = history.filter((l) => l.type === 'complete');
  const firstAt = Math.min(...completions.map((l) => l.at - (l.latencyMs ?? 0)));
  const okAts = completions.filter((l) => l.outcome === 'ok').map((l) => l.at);
  const lastOk = okAts.length ? Math.max(...okAts) : firstAt;
  const sellingSeconds = Math.max(0.001, (lastOk - firstAt) / 1000);
  const purchasesPerSecond = okAts.length / sellingSeconds;
  const measured = run.measure === 'purchases' ? purchasesPerSecond : load.throughput;

  console.log(`  reference: measuring…`);
  const reference = run.reference ? await run.reference() : null;
  const seats = run.events.reduce((n, e) => n + e.seatIds.length, 0);
  return {
    scenario: run.scenario,
    startedAt,
    machine: machine(),
    attempted: check.attempted,
    ok: check.ok,
    failed: check.failed,
    indeterminate: check.indeterminate,
    oversold: check.oversold,
    lost: check.lost,
    phantom: check.phantom,
    throughput: load.throughput,
    purchasesPerSecond,
    sales: salesTimeline(history, load.startedAtMs),
    cpu: load.cpu,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    reference,
    ratio: reference ? measured / reference.value : null,
    generatorCpuPercent: load.generatorCpuPercent,
    limitedBy: limitedBy(load, run.systemLimit),
    details: {
      measuredForRatio:
        run.measure === 'purchases'
          ? 'confirmed purchases per second while selling'
          : 'answered requests per second',
      purchasesPerSecond,
      secondsUntilLastSale: sellingSeconds,
      seats,
      seatsSold: await soldSeats(run),
      retriedIndeterminate: retried,
      warmup:
        warm && run.warmup
          ? { seconds: run.warmup.seconds, eventIds: run.warmup.events.map((e) => e.id), ...warm }
          : null,
      historyFiles: allFiles,
    },
    load,
    check,
  };
}

// Read like the checker's maps, in parallel: through a gateway alone, each read may wait
// for the cached copy to expire (seat-maps.ts).
async function soldSeats(run: PurchaseRun): Promise<number> {
  const maps = await Promise.all(run.events.map((e) => run.client.seatMap(e.id)));
  return maps.reduce((sold, map) => sold + map.seats.filter((s) => s.status === 'sold').length, 0);
}

async function warmUp(run: PurchaseRun, warmup: NonNullable<PurchaseRun['warmup']>, historyBase: string) {
  console.log(`  warming up: ${warmup.seconds} s of the same mix on ${warmup.events.length} other events…`);
  const base = `${historyBase}.warmup`;
  await runLoad(
    {
      baseUrl: run.target.baseUrl,
      ca: run.target.ca,
      connections: run.connections,
      durationSeconds: warmup.seconds,
      historyFile: base,
      purchase: { ...run.mix, events: warmup.events, buyers: run.buyers },
    },
    run.generators,
    `${run.scenario} warm-up`,
  );
  const files = Array.from({ length: run.generators }, (_, g) => `${base}.${g}`).filter((f) => existsSync(f));
  const retryFile = `${base}.retries`;
  await settleIndeterminate(run.client, files, run.buyers, retryFile);
  return checkRun(
    run.client,
    run.target.databaseUrl as string,
    warmup.events.map((e) => e.id),
    existsSync(retryFile) ? [...files, retryFile] : files,
  );
}
