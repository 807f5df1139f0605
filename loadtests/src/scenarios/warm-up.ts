// A purchase scenario's warm-up: the same mix on other events first (every replica
// gets some), so that the measured sale meets warm replicas (JIT, pools, caches) as a
// real on-sale moment does. Not measured, but settled and checked like the sale.
import { existsSync } from 'node:fs';
import type { CheckReport } from '../../lib/checker.ts';
import type { PurchaseMix } from '../plan.ts';
import { runLoad } from '../run-load.ts';
import type { Api, PreparedBuyer, PreparedEvent, Target } from '../target.ts';
import { checkRun, settleIndeterminate } from '../verify.ts';

/** What of a purchase run the warm-up repeats. */
export interface WarmUpRun {
  scenario: string;
  target: Target;
  client: Api;
  buyers: PreparedBuyer[];
  mix: Omit<PurchaseMix, 'events' | 'buyers'>;
  connections: number;
  generators: number;
}

export interface WarmUp {
  events: PreparedEvent[];
  seconds: number;
}

export async function warmUp(run: WarmUpRun, warmup: WarmUp, historyBase: string): Promise<CheckReport> {
  console.log(`  warming up: ${warmup.seconds} s of the same mix on ${warmup.events.length} other events…`);
  const base = `${historyBase}.warmup`;
  await runLoad(
    {
      baseUrl: run.target.baseUrl,
      ca: run.target.ca,
      connectAtStart: run.target.connectAtStart,
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
