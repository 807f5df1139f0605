// One fault's sale: its own event and buyer process, a steady lead-in, the fault
// injected (bounded in time), the load kept on while the cluster recovers, then what
// is undecided settled, the checker run on the event, and the sale measured.
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { CheckReport } from '../../lib/checker.ts';
import { readHistory } from '../history.ts';
import type { Options } from '../options.ts';
import type { BuyersPlan } from '../plan.ts';
import type { Api, PreparedBuyer, PreparedEvent, Target } from '../target.ts';
import { checkRun, settleIndeterminate } from '../verify.ts';
import { startBuyers } from './buyers-process.ts';
import {
  beginInjection,
  type FaultContext,
  type FaultKind,
  type FaultSettings,
  type Injection,
  type PhaseSetup,
} from './fault-kind.ts';
import { type FaultSummary, measureSale } from './measure.ts';
import { phaseSummary } from './phase-verdict.ts';

// Longest one injection may take (the longest fault lasts seconds): past it the fault is
// reported as not done rather than the run waiting for ever.
const INJECTION_DEADLINE_MS = 120_000;

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export interface PhaseResult {
  summary: FaultSummary;
  check?: CheckReport;
  historyFiles: string[];
}

export interface PhaseInput {
  kind: FaultKind;
  index: number;
  of: number;
  event: PreparedEvent;
  buyers: PreparedBuyer[];
  historyBase: string;
}

export async function runPhase(
  o: Options,
  target: Target,
  client: Api,
  db: pg.Pool,
  settings: FaultSettings,
  { kind, index, of, event, buyers, historyBase }: PhaseInput,
): Promise<PhaseResult> {
  const stateFile = target.stateFile as string;
  const databaseUrl = target.databaseUrl as string;
  console.log(`\n  fault ${index + 1}/${of}: ${kind.name}: ${kind.summary} (event ${event.id})`);
  const base = { stateFile, runDir: target.runDir as string, databaseUrl, settings, client, db };
  const historyFile = `${historyBase}.${index + 1}-${kind.name}.history.jsonl`;
  const failures: string[] = [];
  let setup: PhaseSetup | undefined;
  try {
    setup = await kind.setup?.(base);
  } catch (err) {
    failures.push(`the fault could not be set up: ${(err as Error).message}`);
  }
  let eventReplica: string | undefined;
  const plan: BuyersPlan = {
    baseUrl: target.baseUrl,
    ca: target.ca,
    purchase: {
      events: [event],
      buyers,
      quantityShare: 0.7,
      hotSeats: Math.ceil(event.seatIds.length / 4),
      maxSeats: 2,
      declineShare: 0.02,
    },
    holdShare: o.holdShare,
    rate: o.rate ?? 40,
    maxSeconds: 600,
    timeoutMs: o.timeoutMs,
    retryForMs: o.retrySeconds * 1000,
    maxInFlight: 256,
    direct: setup?.direct ?? { share: o.directShare, clusterFile: stateFile },
    historyFile,
  };
  const loadStart = Date.now();
  const buyersProcess = startBuyers(plan, kind.name, (p) => {
    eventReplica = p.eventReplica ?? eventReplica;
  });
  const ctx: FaultContext = { ...base, eventId: event.id, eventReplica: () => eventReplica };

  // The lead-in: a steady sale (and the buyers have seen which replica serves the event).
  await sleep(o.leadInSeconds * 1000);
  for (let waited = 0; eventReplica === undefined && waited < 5_000; waited += 100) await sleep(100);
  let injection: Injection;
  if (failures.length === 0) {
    try {
      injection = await within(kind.inject(ctx, setup), INJECTION_DEADLINE_MS, `${kind.name} injection`);
    } catch (err) {
      injection = beginInjection('-', Date.now(), []);
      failures.push(`the fault could not be injected: ${(err as Error).message}`);
    }
  } else {
    injection = beginInjection('-', Date.now(), []);
  }
  failures.push(...injection.failures);
  await Promise.all([
    sleep(Math.max(0, injection.endedAt + settings.observeMs - Date.now())),
    injection.pending,
  ]);
  await injection.finish?.();
  const loadEnd = Date.now();
  const result = await buyersProcess.stop(plan.retryForMs + plan.timeoutMs + 10_000);
  if (!result) failures.push('the buyer process ended without its result');
  await setup?.cleanup().catch((err: Error) => failures.push(`cleanup failed: ${err.message}`));

  // What is still undecided is asked once more (the retries' bound), then checked.
  const files = [historyFile];
  const retryFile = `${historyFile}.retries`;
  await settleIndeterminate(client, files, buyers, retryFile);
  const allFiles = existsSync(retryFile) ? [...files, retryFile] : files;
  let check: CheckReport | undefined;
  try {
    check = await checkRun(client, databaseUrl, [event.id], allFiles);
  } catch (err) {
    failures.push(`the checker could not run: ${(err as Error).message}`);
  }
  const seatCounts = (
    await db.query<{ available: number; sold: number }>(
      `SELECT count(*) FILTER (WHERE status = 'available')::int AS available,
              count(*) FILTER (WHERE status = 'sold')::int AS sold
         FROM seats WHERE event_id = $1::uuid`,
      [event.id],
    )
  ).rows[0] ?? { available: 0, sold: 0 };
  const lines = readHistory(allFiles);
  const times = {
    loadStart,
    loadEnd,
    faultStart: injection.startedAt,
    faultEnd: injection.endedAt,
    recoveryFrom: injection.recoveryFrom,
  };
  const m = measureSale(lines, times, seatCounts.available === 0);
  const summary = phaseSummary({
    kind,
    settings,
    event,
    injection,
    m,
    lines,
    check,
    result,
    maxInFlight: plan.maxInFlight,
    seatCounts,
    loadStart,
    loadEnd,
    failures,
  });
  return { summary, check, historyFiles: allFiles };
}
