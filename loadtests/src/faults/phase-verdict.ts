// One fault's figures and verdict, once its sale is over and checked: the fault's
// bound against what was measured, what fails it (a violated invariant, a 500, a bound
// exceeded, a purchase nobody can settle) and what is worth saying besides.
import type { CheckReport } from '../../lib/checker.ts';
import type { HistoryLine } from '../history.ts';
import { answerLabel } from '../purchase-mix.ts';
import type { PreparedEvent } from '../target.ts';
import type { BuyersResult } from './buyers-process.ts';
import type { FaultKind, FaultSettings, Injection } from './fault-kind.ts';
import type { FaultSummary, SaleMeasures } from './measure.ts';

export interface PhaseFacts {
  kind: FaultKind;
  settings: FaultSettings;
  event: PreparedEvent;
  injection: Injection;
  /** The sale measured from the history (measure.ts). */
  m: SaleMeasures;
  lines: HistoryLine[];
  check?: CheckReport;
  result?: BuyersResult;
  maxInFlight: number;
  seatCounts: { available: number; sold: number };
  loadStart: number;
  loadEnd: number;
  /** Failures so far (setup, injection, buyers, checker); the verdict adds its own. */
  failures: string[];
}

export function phaseSummary(f: PhaseFacts): FaultSummary {
  const { kind, settings, event, injection, m, check, result, failures, loadStart, loadEnd } = f;
  // A killed replica is back in the upstream when the gateway sends it a request again:
  // seen by the injector's probes, or by the buyers' answers.
  if (kind.name === 'replica-kill') {
    const answered = f.lines.find(
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
    injection.notes.push(`${result.turnedAway} customer(s) turned away: ${f.maxInFlight} already in flight`);
  if (kind.name.startsWith('replica-pause') && m.gatewayStall.ms > m.stall.ms)
    injection.notes.push(
      `through the gateway alone the longest stall was ${(m.gatewayStall.ms / 1000).toFixed(2)} s: it sends the event's purchases to the paused replica`,
    );

  const rel = (t: number) => Math.round((t - loadStart) / 10) / 100;
  return {
    fault: kind.name,
    summary: kind.summary,
    target: injection.target,
    eventId: event.id,
    seats: event.seatIds.length,
    seatsSold: f.seatCounts.sold,
    soldOut: f.seatCounts.available === 0,
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
}
