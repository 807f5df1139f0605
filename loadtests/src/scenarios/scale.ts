// scale: the same purchase load at 1, 2 and 3 replicas (the local cluster is
// scaled between the rounds with `npm run cluster -- scale`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Options } from '../options.ts';
import type { Report } from '../report.ts';
import type { Api, Target } from '../target.ts';
import { spread } from './sales.ts';

const repoRoot = join(import.meta.dirname, '../../..');

export async function scaleScenario(o: Options, target: Target, client: Api): Promise<Report> {
  if (!target.runDir) throw new Error('scale needs the local cluster');
  const rounds: {
    replicas: number;
    throughput: number;
    purchasesPerSecond: number;
    cpu?: { group: string; avgCores: number }[];
  }[] = [];
  let last: Report | undefined;
  for (const replicas of [1, 2, 3]) {
    const res = spawnSync('npm', ['run', '--silent', 'cluster', '--', 'scale', String(replicas)], {
      cwd: repoRoot,
      env: { ...process.env, TICKETS_RUN_DIR: target.runDir },
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`scale to ${replicas} failed: ${res.stderr}${res.stdout}`);
    console.log(`  round with ${replicas} replica(s)`);
    last = await spread({ ...o, referenceSeconds: 1, tag: `${o.tag}-${replicas}` }, target, client);
    rounds.push({
      replicas,
      throughput: last.throughput,
      purchasesPerSecond: Number(last.details.purchasesPerSecond),
      cpu: last.cpu?.groups.map((g) => ({ group: g.group, avgCores: g.avgCores })),
    });
  }
  const one = rounds[0] as (typeof rounds)[0];
  const three = rounds[2] as (typeof rounds)[0];
  return {
    ...(last as Report),
    scenario: 'scale',
    reference: { name: 'the same load at 1 replica (purchases/s)', value: one.purchasesPerSecond },
    ratio: three.purchasesPerSecond / one.purchasesPerSecond,
    details: { ...(last as Report).details, rounds },
  };
}
