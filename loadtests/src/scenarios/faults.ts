// faults: a purchase race against the local cluster while faults are injected one
// after another, each on its own event so that its accounting is its own. For each:
// customers arrive at a steady rate (buyers.ts, retrying indeterminate answers with
// the same Idempotency-Key), the fault is injected after a lead-in (faults/inject.ts),
// the load goes on while the cluster recovers, then what is still undecided is
// settled, the checker runs on the event, and the sale's stall and recovery are
// measured (faults/measure.ts) against the fault's bound.
//
// The parts: faults/inject.ts (which faults, in which order), faults/phase.ts (one
// fault's sale), faults/phase-verdict.ts (its figures and verdict), faults/load.ts.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { CheckReport } from '../../lib/checker.ts';
import { leaseOf } from '../faults/cluster.ts';
import type { FaultSettings } from '../faults/fault-kind.ts';
import { selectFaults } from '../faults/inject.ts';
import { loadOf } from '../faults/load.ts';
import { type PhaseResult, runPhase } from '../faults/phase.ts';
import { readHistory } from '../history.ts';
import type { Options } from '../options.ts';
import { checkFigures, machine, type Report, resultsDir } from '../report.ts';
import {
  type Api,
  adminToken,
  createEvent,
  type PreparedEvent,
  signupBuyers,
  type Target,
} from '../target.ts';
import { sectionsFor } from './sales.ts';

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
    ...checkFigures(check),
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
