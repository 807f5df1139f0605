// The surge itself: the pre-open buyers join a few at a time (the order of their answers
// is the join order), the sale opens a few seconds later, the late buyers join one by
// one after it, and everyone waits for admission and buys. CPU per process is sampled
// while the crowd waits and buys.
import { type CpuProfile, CpuSampler } from '../cpu.ts';
import { clusterSources, harnessSource, hasCluster } from '../processes.ts';
import type { Target } from '../target.ts';
import { bump, label, type surgeBuyer } from './buyer.ts';
import { sleep } from './http.ts';
import type { BuyerRun, Crowd } from './setup.ts';

/** Pre-open joins in flight at once. */
const JOIN_CONCURRENCY = 16;

export interface CrowdResult {
  preJoins: Record<string, number>;
  lateJoins: Record<string, number>;
  /** How long the pre-open joins took. */
  preOpenSeconds: number;
  salesStartMs: number;
  salesStartAt: string;
  cpu?: CpuProfile;
  /** This process's CPU over the opening and after it (the surge's clients run here). */
  cpuUsed: NodeJS.CpuUsage;
  wallMs: number;
}

export async function runCrowd(
  crowd: Crowd,
  runs: BuyerRun[],
  buyer: ReturnType<typeof surgeBuyer>,
  opts: {
    target: Target;
    openInSeconds: number;
    retrySeconds: number;
    open: (salesStartAt: string) => Promise<void>;
  },
): Promise<CrowdResult> {
  const { joinQueue, purchase, wait, tallies } = buyer;
  let joined = 0;
  const preJoins: Record<string, number> = {};
  const joinStarted = performance.now();
  {
    let next = 0;
    const worker = async () => {
      while (next < crowd.preCount) {
        const run = runs[next++] as BuyerRun;
        const a = await joinQueue(run);
        bump(preJoins, a.status === 200 ? `200 ${a.json?.state}` : label(a));
        if (a.status === 200) run.joinOrder = joined++;
        else run.stopped = `join ${label(a)}`;
        if (run.eager && a.status === 200) await purchase(run, undefined, tallies.eagerBefore);
      }
    };
    await Promise.all(Array.from({ length: JOIN_CONCURRENCY }, worker));
  }
  const preOpenSeconds = Math.round((performance.now() - joinStarted) / 100) / 10;
  const salesStartMs = Date.now() + opts.openInSeconds * 1000;
  const salesStartAt = new Date(salesStartMs).toISOString();
  await opts.open(salesStartAt);
  console.log(
    `  ${joined} joined in ${preOpenSeconds} s; sales open at ${salesStartAt} (in ${opts.openInSeconds} s)`,
  );

  // Everyone waits at most until the whole line should have been admitted, and then some.
  const deadline =
    salesStartMs + ((crowd.buyerCount * crowd.gapMs) / 1000 + opts.retrySeconds + 30) * 1000 * 1.5;
  const opening = { salesStartMs, deadline, maxPolls: Math.ceil((deadline - Date.now()) / 1000) + 100 };

  const runDir = opts.target.runDir;
  const sampler =
    hasCluster(runDir) && CpuSampler.available()
      ? new CpuSampler({ sources: [...clusterSources(runDir), harnessSource()] }).start()
      : undefined;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const progress = setInterval(() => {
    const admitted = runs.filter((r) => r.admission).length;
    const bought = runs.filter((r) => r.purchaseKey).length;
    const line = `  surge: ${admitted} admitted, ${bought} done, ${tallies.purchaseAnswers['201'] ?? 0} bought`;
    process.stdout.write(process.stdout.isTTY ? `\r${line}      ` : `${line}\n`);
  }, 2000);

  const lateJoins: Record<string, number> = {};
  const lateRuns = runs.filter((r) => r.kind === 'late');
  const late = (async () => {
    await sleep(salesStartMs + crowd.lateFromSeconds * 1000 - Date.now());
    const t0 = performance.now();
    await Promise.all(
      lateRuns.map(async (run, i) => {
        await sleep(t0 + i * crowd.lateGapMs - performance.now());
        // The order of sending, one every lateGapMs: first come, first served should keep it.
        run.joinOrder = i;
        const a = await joinQueue(run);
        bump(lateJoins, a.status === 200 ? `200 ${a.json?.state}` : label(a));
        if (a.status !== 200) {
          run.stopped = `join ${label(a)}`;
          return;
        }
        await wait(run, opening);
      }),
    );
  })();
  await Promise.all([
    ...runs.filter((r) => r.kind === 'pre' && r.joinOrder !== undefined).map((r) => wait(r, opening)),
    late,
  ]);
  clearInterval(progress);
  if (process.stdout.isTTY) process.stdout.write('\n');
  const cpuUsed = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;
  const cpu = sampler?.stop();
  return { preJoins, lateJoins, preOpenSeconds, salesStartMs, salesStartAt, cpu, cpuUsed, wallMs };
}
