// A run's report: what every scenario returns (the figures, the checker's verdict,
// each scenario's own summary) and the figures read from it the same way wherever they
// are shown. Written as JSON and an HTML page by report/write.ts, printed by
// report/terminal.ts.
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { CheckReport } from '../lib/checker.ts';
import { type CpuProfile, cpuVerdict } from './cpu/profile.ts';
import type { FaultSummary } from './faults/measure.ts';
import type { LoadResult } from './run-load.ts';
import type { SalesTimeline } from './sales-timeline.ts';
import type { SoakSummary } from './soak/summary.ts';
import type { SurgeSummary } from './surge/summary.ts';
import type { WatchSummary } from './watch/latency.ts';

export interface Report {
  scenario: string;
  startedAt: string;
  machine: string;
  attempted: number;
  ok: number;
  failed: number;
  indeterminate: number;
  oversold: number;
  lost: number;
  phantom: number;
  /** Answered requests per second over the timed part. */
  throughput: number;
  /** Confirmed purchases per second while selling (purchase scenarios): their headline figure. */
  purchasesPerSecond?: number;
  /** Purchases/s and cumulative seats sold over the timed part (purchase scenarios). */
  sales?: SalesTimeline;
  /** CPU per process over the timed part, with average cores per group. */
  cpu?: CpuProfile;
  /** The watch scenario's stream subscribers: delivery, latency, failures. */
  watch?: WatchSummary;
  /** The faults scenario: what each fault did to the sale, with its own accounting. */
  faults?: FaultSummary[];
  /** The surge scenario: the waiting room's rate and order, the admitted buyers' purchases. */
  surge?: SurgeSummary;
  /** The soak scenario: samples every 10 s (memory, connections, streams) and per-window throughput and latency. */
  soak?: SoakSummary;
  /** Failures besides invariant violations (e.g. a subscriber that missed a sale); any fails the run. */
  failures?: string[];
  p50Ms: number;
  p99Ms: number;
  reference: { name: string; value: number } | null;
  ratio: number | null;
  generatorCpuPercent: number[];
  limitedBy: string;
  details: Record<string, unknown>;
  load: LoadResult;
  check?: CheckReport;
}

export const resultsDir = process.env.TICKETS_LOADTEST_RESULTS || join(import.meta.dirname, '../results');

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/**
 * Says what limited the figure: the generator when it used (almost) a whole core;
 * else, with CPU samples, the machine's CPU when it was saturated (naming the
 * busiest process group), or the scenario's own limit with the CPU figures.
 */
export function limitedBy(load: LoadResult, system: string): string {
  const busiest = Math.max(...load.generatorCpuPercent);
  if (busiest >= 85) return `the load generator (a generator process at ${busiest.toFixed(0)}% of a core)`;
  if (!load.cpu) return system;
  const verdict = cpuVerdict(load.cpu);
  return verdict.saturated
    ? `${verdict.text} (scenario's expected limit: ${system})`
    : `${system}; ${verdict.text}`;
}

export const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The headline figure: confirmed purchases/s for purchase scenarios, else answered requests/s. */
export function headline(report: Report): string {
  if (report.purchasesPerSecond === undefined) return `${fmt(report.throughput)} req/s`;
  const seconds = Number(report.details.secondsUntilLastSale ?? 0);
  const sold = report.sales
    ? `${report.sales.confirmed} purchases, ${report.sales.seatsConfirmed} seats`
    : '';
  return `${fmt(report.purchasesPerSecond)} purchases/s (confirmed, while selling${sold ? `: ${sold} in ${fmt(seconds)} s` : ''})`;
}

/** Every outcome with its count, most frequent first; requests that got no answer included. */
export function outcomeRows(load: LoadResult): [string, number][] {
  const rows = Object.entries(load.outcomes).sort((a, b) => b[1] - a[1]);
  if (load.errors > 0) rows.push(['no answer (connection error or timeout)', load.errors]);
  return rows;
}

/** The checker's counts as the report's figures (all zero when the checker could not run). */
export function checkFigures(check: CheckReport | undefined) {
  return {
    attempted: check?.attempted ?? 0,
    ok: check?.ok ?? 0,
    failed: check?.failed ?? 0,
    indeterminate: check?.indeterminate ?? 0,
    oversold: check?.oversold ?? 0,
    lost: check?.lost ?? 0,
    phantom: check?.phantom ?? 0,
  };
}
