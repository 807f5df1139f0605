// The surge's own summary and what fails it: an admission rate off the configured
// one, buyers never admitted or left without a definite answer, admitted buyers
// refused, a pre-open line not shuffled, late joiners not served in order.
import type { PreparedBuyers } from './accounts.ts';
import type { Tallies } from './buyer.ts';
import type { CrowdResult } from './crowd.ts';
import type { Admissions, Admitted } from './outcome.ts';
import type { BuyerRun, Crowd } from './setup.ts';
import { percentile } from './stats.ts';
import type { LatencySummary, SurgeSummary } from './summary.ts';

/** The rate may be off by this share of the configured one. */
const RATE_TOLERANCE = 0.1;

export interface SurgeFacts {
  crowd: Crowd;
  accounts: PreparedBuyers;
  runs: BuyerRun[];
  tallies: Tallies;
  crowdResult: CrowdResult;
  admitted: Admitted;
  admissions: Admissions;
  seats: number;
  seatsSold: number;
  openInSeconds: number;
}

export function surgeSummary(f: SurgeFacts): SurgeSummary {
  const { crowd, accounts, runs, tallies, crowdResult: c, admitted, admissions } = f;
  const { purchaseAnswers } = tallies;
  return {
    seats: f.seats,
    buyers: {
      total: crowd.buyerCount,
      preOpen: crowd.preCount,
      late: crowd.lateCount,
      eager: crowd.eagerCount,
    },
    accounts: {
      reused: accounts.reused,
      signedUp: accounts.signedUp,
      loggedIn: accounts.loggedIn,
      seconds: accounts.seconds,
      perSecond: accounts.perSecond,
    },
    admitPerMinute: crowd.admitPerMinute,
    salesStartAt: c.salesStartAt,
    openInSeconds: f.openInSeconds,
    joins: {
      preOpenSeconds: c.preOpenSeconds,
      preOpen: c.preJoins,
      late: c.lateJoins,
      retries: tallies.joinRetries,
    },
    lateGapMs: crowd.lateGapMs,
    lateFromSeconds: crowd.lateFromSeconds,
    polls: {
      total: runs.reduce((n, r) => n + r.polls, 0),
      maxPerBuyer: Math.max(0, ...runs.map((r) => r.polls)),
      answers: tallies.pollAnswers,
    },
    admitted: admitted.admittedRuns.length,
    notAdmitted: admitted.notAdmitted,
    rate: admissions.rate,
    timeline: admissions.timeline,
    order: admissions.order,
    answers: purchaseAnswers,
    refusals: {
      admissionRequired: countCode(purchaseAnswers, '403 ADMISSION_REQUIRED'),
      salesNotOpen: countCode(purchaseAnswers, '409 SALES_NOT_OPEN'),
      rateLimited: Object.entries(purchaseAnswers)
        .filter(([k]) => k.startsWith('429'))
        .reduce((n, [, count]) => n + count, 0),
    },
    eager: { beforeOpening: tallies.eagerBefore, withoutToken: tallies.eagerWithout },
    admittedLatency: latency(tallies.admittedLatencies),
    admittedOkLatency: latency(tallies.admittedOkLatencies),
    admittedOutcome: admitted.admittedOutcome,
    admittedUnsettled: admitted.unsettled,
    admittedRefusedWrongly: admitted.refusedWrongly,
    seatsSold: f.seatsSold,
    secondsOpeningToFirstAdmission: Math.round((admissions.firstSeenMs - c.salesStartMs) / 100) / 10,
    secondsOpeningToLastAdmission: Math.round((admissions.lastSeenMs - c.salesStartMs) / 100) / 10,
  };
}

export function surgeFailures(summary: SurgeSummary, buyers: number): string[] {
  const { rate, admitPerMinute, notAdmitted } = summary;
  const unsettled = summary.admittedUnsettled;
  const refusedWrongly = summary.admittedRefusedWrongly;
  const failures: string[] = [];
  if (rate.seenError === null)
    failures.push(
      `admission rate not measured (${rate.busyAdmissions} admissions in the longest busy stretch)`,
    );
  else if (rate.seenError > RATE_TOLERANCE)
    failures.push(
      `admission rate ${rate.seenPerMinute}/min is off the configured ${admitPerMinute}/min by ${(rate.seenError * 100).toFixed(1)} % (> ${RATE_TOLERANCE * 100} %)`,
    );
  if (Object.keys(notAdmitted).length)
    failures.push(`${buyers - summary.admitted} buyer(s) not admitted: ${JSON.stringify(notAdmitted)}`);
  if (unsettled) failures.push(`${unsettled} admitted buyer(s) without a definite answer`);
  if (refusedWrongly)
    failures.push(`${refusedWrongly} admitted buyer(s) refused with ADMISSION_REQUIRED or SALES_NOT_OPEN`);
  const pre = summary.order.preOpen;
  if (pre.buyers >= 20 && (pre.spearman ?? 1) > 0.5)
    failures.push(
      `pre-open joiners admitted nearly in join order (Spearman ρ ${pre.spearman}): not shuffled`,
    );
  const lateOrder = summary.order.late;
  if (lateOrder.buyers >= 10 && (lateOrder.spearman ?? 0) < 0.9)
    failures.push(`late joiners not admitted first come, first served (Spearman ρ ${lateOrder.spearman})`);
  if (summary.seatsSold === 0) failures.push('nothing was sold');
  return failures;
}

function countCode(r: Record<string, number>, k: string): number {
  return r[k] ?? 0;
}

function latency(xs: number[]): LatencySummary {
  return {
    samples: xs.length,
    p50Ms: percentile(xs, 50),
    p90Ms: percentile(xs, 90),
    p99Ms: percentile(xs, 99),
    maxMs: xs.length ? Math.round(Math.max(...xs) * 100) / 100 : 0,
  };
}
