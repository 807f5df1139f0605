// faults: a purchase race against the local cluster while faults are injected one
// after another, each on its own event so that its accounting is its own. For each:
// customers arrive at a steady rate (buyers.ts, retrying indeterminate answers with
// the same Idempotency-Key), the fault is injected after a lead-in (faults/inject.ts),
// the load goes on while the cluster recovers, then what is still undecided is
// settled, the checker runs on the event, and the sale's stall and recovery are
// measured (faults/measure.ts) against the fault's bound.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { CheckReport } from '../../lib/checker.ts';
import type { Options } from '../cli.ts';
import { leaseOf } from '../faults/cluster.ts';
import {
  type FaultContext,
  type FaultKind,
  type FaultSettings,
  faultKinds,
  type Injection,
  type PhaseSetup,
} from '../faults/inject.ts';
import { type FaultSummary, measureSale } from '../faults/measure.ts';
import { type HistoryLine, readHistory } from '../history.ts';
import type { BuyersPlan } from '../plan.ts';
import { answerLabel } from '../purchase-mix.ts';
import { machine, type Report, resultsDir } from '../report.ts';
import type { LoadResult } from '../run-load.ts';
import {
  type Api,
  adminToken,
  createEvent,
  type PreparedBuyer,
  type PreparedEvent,
  signupBuyers,
  type Target,
} from '../target.ts';
import { checkRun, settleIndeterminate } from '../verify.ts';
import { sectionsFor } from './sales.ts';

const buyersEntry = join(import.meta.dirname, '../buyers.ts');

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

export function selectFaults(list: string | undefined): FaultKind[] {
  if (!list) return faultKinds;
  return list.split(',').map((name) => {
    const kind = faultKinds.find((k) => k.name === name.trim());
    if (!kind)
      throw new Error(`unknown fault "${name}"; the faults are ${faultKinds.map((k) => k.name).join(', ')}`);
    return kind;
  });
}

interface BuyersResult {
  arrived: number;
  turnedAway: number;
  holds: Record<string, number>;
  maxInFlight: number;
}

/** The buyer process of one fault: started now; `stop()` ends arrivals and waits for those in flight. */
function startBuyers(plan: BuyersPlan, label: string, onProgress: (p: { eventReplica?: string }) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'tickets-faults-'));
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  const child = spawn(process.execPath, [buyersEntry, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = Date.now();
  let result: BuyersResult | undefined;
  let last: { answers: number; ok: number; inFlight: number; eventReplica?: string } = {
    answers: 0,
    ok: 0,
    inFlight: 0,
  };
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith('PROGRESS ')) {
        last = JSON.parse(line.slice(9));
        onProgress(last);
      } else if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ticker = setInterval(() => {
    const line = `  ${label}: ${((Date.now() - started) / 1000).toFixed(0)} s, ${last.answers} answers, ${last.ok} sold, ${last.inFlight} in flight`;
    process.stdout.write(process.stdout.isTTY ? `\r${line}      ` : `${line}\n`);
  }, 1000);
  return {
    async stop(graceMs: number): Promise<BuyersResult | undefined> {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      clearInterval(ticker);
      rmSync(dir, { recursive: true, force: true });
      if (process.stdout.isTTY) process.stdout.write('\n');
      return result;
    },
  };
}

interface PhaseResult {
  summary: FaultSummary;
  check?: CheckReport;
  historyFiles: string[];
}

interface PhaseInput {
  kind: FaultKind;
  index: number;
  of: number;
  event: PreparedEvent;
  buyers: PreparedBuyer[];
  historyBase: string;
}

async function runPhase(
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
      const now = Date.now();
      injection = { target: '-', startedAt: now, endedAt: now, notes: [], measures: {}, failures: [] };
      failures.push(`the fault could not be injected: ${(err as Error).message}`);
    }
  } else {
    const now = Date.now();
    injection = { target: '-', startedAt: now, endedAt: now, notes: [], measures: {}, failures: [] };
  }
  failures.push(...injection.failures);
  await Promise.all([
    sleep(Math.max(0, injection.endedAt + kind.observeMs(settings) - Date.now())),
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

  // A killed replica is back in the upstream when the gateway sends it a request again:
  // seen by the injector's probes, or by the buyers' answers.
  if (kind.name === 'replica-kill') {
    const answered = lines.find(
      (l: HistoryLine) =>
        l.type === 'complete' &&
        (l.via ?? 'gateway') === 'gateway' &&
        l.replica === injection.target &&
        l.at > injection.startedAt,
    );
    const byBuyers = answered ? answered.at - injection.startedAt : null;
    const byProbe = injection.measures.backInUpstreamMs as number | null;
    injection.measures.backInUpstreamMs =
      byBuyers === null ? byProbe : byProbe === null ? byBuyers : Math.min(byBuyers, byProbe);
  }

  const holdAnswers = result?.holds ?? {};
  const status500 = m.status500 + (holdAnswers[answerLabel(500)] ?? 0);
  const b = kind.bound?.(settings);
  const measured =
    b === undefined
      ? null
      : b.on === 'stall'
        ? m.stall.ms
        : b.on === 'firstSale'
          ? m.firstSaleMs
          : (injection.measures.backInUpstreamMs as number | null);
  const bound = b
    ? {
        what: b.what,
        limitMs: b.limitMs,
        measuredMs: measured,
        within: measured !== null && measured <= b.limitMs,
      }
    : null;

  if (check && !check.valid)
    failures.push(
      `${check.violations.length} invariant violation(s): oversold ${check.oversold}, lost ${check.lost}, phantom ${check.phantom}`,
    );
  if (status500 > 0) failures.push(`${status500} answer(s) with status 500`);
  if (bound && !bound.within)
    failures.push(
      measured === null
        ? `${bound.what}: not within ${(bound.limitMs / 1000).toFixed(1)} s (never, while the load ran)`
        : `${bound.what}: ${(measured / 1000).toFixed(2)} s, bound ${(bound.limitMs / 1000).toFixed(1)} s`,
    );
  if (m.indeterminate.unsettled > 0)
    failures.push(`${m.indeterminate.unsettled} indeterminate purchase(s) no retry settled`);
  if (result && result.turnedAway > 0)
    injection.notes.push(
      `${result.turnedAway} customer(s) turned away: ${plan.maxInFlight} already in flight`,
    );
  if (kind.name.startsWith('replica-pause') && m.gatewayStall.ms > m.stall.ms)
    injection.notes.push(
      `through the gateway alone the longest stall was ${(m.gatewayStall.ms / 1000).toFixed(2)} s: it sends the event's purchases to the paused replica`,
    );

  const rel = (t: number) => Math.round((t - loadStart) / 10) / 100;
  const summary: FaultSummary = {
    fault: kind.name,
    summary: kind.summary,
    target: injection.target,
    eventId: event.id,
    seats: event.seatIds.length,
    seatsSold: seatCounts.sold,
    soldOut: seatCounts.available === 0,
    times: { faultStart: rel(injection.startedAt), faultEnd: rel(injection.endedAt), loadEnd: rel(loadEnd) },
    attempted: m.attempted,
    acknowledged: m.acknowledged,
    refused: m.refused,
    lost: check?.lost ?? 0,
    doubleSold: check?.oversold ?? 0,
    phantom: check?.phantom ?? 0,
    answers: m.answers,
    holdAnswers,
    status500,
    stall: m.stall,
    gatewayStall: m.gatewayStall,
    baselinePerSecond: m.baselinePerSecond,
    recovery: {
      from:
        injection.recoveryFrom !== undefined
          ? 'PostgreSQL accepting connections again'
          : 'the end of the fault',
      firstSaleMs: m.firstSaleMs,
      steadyMs: m.steadyMs,
    },
    indeterminate: m.indeterminate,
    bound,
    measures: injection.measures,
    notes: injection.notes,
    failures,
    violations: (check?.violations ?? []).slice(0, 20),
    series: m.series,
  };
  return { summary, check, historyFiles: allFiles };
}

export async function faults(o: Options, target: Target, client: Api): Promise<Report> {
  if (!target.stateFile || !target.databaseUrl || !target.runDir)
    throw new Error(
      'faults injects faults into the local cluster: it needs its cluster.json (TICKETS_RUN_DIR or --cluster FILE)',
    );
  const kinds = selectFaults(o.faults);
  const lease = o.leaseMs !== undefined ? { ms: o.leaseMs, source: '--lease-ms' } : leaseOf(target.stateFile);
  const settings: FaultSettings = {
    leaseMs: lease.ms,
    pauseMs: o.pauseMs ?? lease.ms + 1_500,
    probeMs: 5_000,
    redisPauseMs: o.redisPauseMs,
    redisDownMs: o.redisDownMs,
    skewMs: o.skewMs ?? lease.ms,
    observeMs: o.observeSeconds * 1000,
  };
  const seats = o.seats ?? 1500;
  console.log(`  lease ${lease.ms} ms (${lease.source}); ${kinds.map((k) => k.name).join(', ')}`);
  console.log(`  preparing ${kinds.length} event(s) of ${seats} seats and ${o.buyers} buyers…`);
  const token = await adminToken(client, target);
  const events: PreparedEvent[] = [];
  for (const kind of kinds)
    events.push(await createEvent(client, token, `Faults ${o.tag} ${kind.name}`, sectionsFor(seats)));
  const buyers = await signupBuyers(client, o.buyers, o.tag);

  const startedAt = new Date().toISOString();
  mkdirSync(resultsDir, { recursive: true });
  const historyBase = join(resultsDir, `faults-${startedAt.replaceAll(':', '-').replace(/\..*/, '')}`);
  const db = new pg.Pool({ connectionString: target.databaseUrl, max: 2 });
  // A PostgreSQL restart breaks the pool's idle connections; the next query opens a new one.
  db.on('error', () => undefined);
  const phases: PhaseResult[] = [];
  const loadStartedAt = Date.now();
  try {
    for (const [index, kind] of kinds.entries())
      phases.push(
        await runPhase(o, target, client, db, settings, {
          kind,
          index,
          of: kinds.length,
          event: events[index] as PreparedEvent,
          buyers,
          historyBase,
        }),
      );
  } finally {
    await db.end();
  }

  const sum = (f: (c: CheckReport) => number) => phases.reduce((n, p) => n + (p.check ? f(p.check) : 0), 0);
  const check: CheckReport = {
    valid: phases.every((p) => p.check?.valid),
    attempted: sum((c) => c.attempted),
    ok: sum((c) => c.ok),
    failed: sum((c) => c.failed),
    indeterminate: sum((c) => c.indeterminate),
    oversold: sum((c) => c.oversold),
    lost: sum((c) => c.lost),
    phantom: sum((c) => c.phantom),
    violations: phases.flatMap((p) =>
      (p.check?.violations ?? []).map((v) => ({ ...v, detail: `${p.summary.fault}: ${v.detail}` })),
    ),
  };
  const historyFiles = phases.flatMap((p) => p.historyFiles);
  const load = loadOf(readHistory(historyFiles), loadStartedAt);
  const summaries = phases.map((p) => p.summary);
  return {
    scenario: 'faults',
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
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    reference: null,
    ratio: null,
    generatorCpuPercent: [],
    limitedBy: `not measured: customers arrive at a fixed rate (${o.rate ?? 40}/s) while faults are injected`,
    details: {
      faults: kinds.map((k) => k.name),
      lease: lease,
      settings,
      seats,
      buyers: o.buyers,
      rate: o.rate ?? 40,
      holdShare: o.holdShare,
      directShare: o.directShare,
      timeoutMs: o.timeoutMs,
      retrySeconds: o.retrySeconds,
      historyFiles,
    },
    load,
    check,
    faults: summaries,
    failures: summaries.flatMap((f) => f.failures.map((x) => `${f.fault}: ${x}`)),
  };
}

/** The answers of every fault's load together, in the shape of the other scenarios' load result. */
function loadOf(lines: HistoryLine[], startedAtMs: number): LoadResult {
  const answers = lines.filter((l) => l.type === 'complete');
  const latencies = answers.map((l) => l.latencyMs ?? 0).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  // Requests without an answer are `errors` (each fault's answers say why: timeout, refused…).
  const outcomes: Record<string, number> = {};
  for (const l of answers) {
    if (l.status === 0) continue;
    const k = answerLabel(l.status ?? 0, l.code);
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  }
  const first = Math.min(...answers.map((l) => l.at));
  const last = Math.max(...answers.map((l) => l.at));
  const seconds = answers.length ? Math.max(1, Math.ceil((last - first) / 1000)) : 1;
  const timeline = new Array<number>(seconds).fill(0);
  for (const l of answers) {
    const i = Math.min(seconds - 1, Math.floor((l.at - first) / 1000));
    timeline[i] = (timeline[i] ?? 0) + 1;
  }
  const errors = answers.filter((l) => l.status === 0).length;
  return {
    requests: answers.length,
    errors,
    timeouts: answers.filter((l) => l.status === 0 && l.code === 'TIMEOUT').length,
    durationSeconds: seconds,
    throughput: answers.length / seconds,
    p50Ms: pct(50),
    p90Ms: pct(90),
    p99Ms: pct(99),
    outcomes,
    generatorCpuPercent: [],
    timeline,
    startedAtMs: answers.length ? first : startedAtMs,
  };
}
