// What the surge scenario reports besides the usual figures: the queue, the
// admission rate and order, and the admitted buyers' purchases. Rows for the
// terminal and the HTML page (report.ts).
import type { PreparedBuyers } from './accounts.ts';
import type { AdmissionRate, AdmissionTimeline, OrderCorrelation } from './stats.ts';

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface SurgeSummary {
  seats: number;
  buyers: { total: number; preOpen: number; late: number; eager: number };
  accounts: Omit<PreparedBuyers, 'buyers'>;
  admitPerMinute: number;
  salesStartAt: string;
  /** Seconds from the last pre-open join to the opening. */
  openInSeconds: number;
  /** How long the pre-open joins took (seconds) and their answers. */
  joins: {
    preOpenSeconds: number;
    /** Each buyer's final answer to joining. */
    preOpen: Record<string, number>;
    late: Record<string, number>;
    /** Joins sent again after no answer, a 5xx or a 429. */
    retries: number;
  };
  /** Late joiners' arrivals: one every this many ms from `lateFromSeconds` after the opening. */
  lateGapMs: number;
  lateFromSeconds: number;
  /** GET /events/:id/queue: how many, per buyer at most, and their answers. */
  polls: { total: number; maxPerBuyer: number; answers: Record<string, number> };
  admitted: number;
  /** Buyers never admitted before the deadline (with why they stopped). */
  notAdmitted: Record<string, number>;
  rate: AdmissionRate;
  timeline: AdmissionTimeline;
  order: { preOpen: OrderCorrelation; late: OrderCorrelation };
  /** Every purchase answer (admitted buyers and eager ones, retries included), by status and code. */
  answers: Record<string, number>;
  /** The answers the brief names, counted on their own. */
  refusals: { admissionRequired: number; salesNotOpen: number; rateLimited: number };
  /** Eager buyers: one purchase before the opening, one after it without a token. */
  eager: { beforeOpening: Record<string, number>; withoutToken: Record<string, number> };
  /** Every answer to an admitted buyer's purchase (retries included). */
  admittedLatency: LatencySummary;
  /** Only the 2xx among them. */
  admittedOkLatency: LatencySummary;
  /** Each admitted buyer's final answer (after the settling pass). */
  admittedOutcome: Record<string, number>;
  /** Admitted buyers with no definite answer, or refused for no reason of their own (403, SALES_NOT_OPEN). */
  admittedUnsettled: number;
  admittedRefusedWrongly: number;
  seatsSold: number;
  /** From the opening to the first admission a buyer saw, and to the last. */
  secondsOpeningToFirstAdmission: number;
  secondsOpeningToLastAdmission: number;
}

const counted = (r: Record<string, number>) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ') || 'none';

const corr = (c: OrderCorrelation) =>
  `${c.buyers} buyers, Spearman ρ ${c.spearman ?? '-'}, Kendall τ ${c.kendall ?? '-'}`;

const lat = (l: LatencySummary) =>
  `p50 ${l.p50Ms} / p90 ${l.p90Ms} / p99 ${l.p99Ms} / max ${l.maxMs} ms (${l.samples} answers)`;

export function surgeRows(s: SurgeSummary): [string, string][] {
  const r = s.rate;
  const a = s.accounts;
  return [
    [
      'buyers',
      `${s.buyers.total} for ${s.seats} seats: ${s.buyers.preOpen} join before the opening (${s.buyers.eager} of them eager), ${s.buyers.late} after it`,
    ],
    [
      'accounts',
      `${a.reused} reused, ${a.signedUp} signed up, ${a.loggedIn} logged in again in ${a.seconds} s${a.perSecond === null ? '' : ` (${a.perSecond}/s: password hashing)`}`,
    ],
    [
      'opening',
      `${s.salesStartAt}, ${s.openInSeconds} s after the last pre-open join (joins took ${s.joins.preOpenSeconds} s); late joiners every ${s.lateGapMs} ms from ${s.lateFromSeconds} s after it`,
    ],
    [
      'joins',
      `before: ${counted(s.joins.preOpen)}; after: ${counted(s.joins.late)}; ${s.joins.retries} sent again`,
    ],
    [
      'queue polls',
      `${s.polls.total} (at most ${s.polls.maxPerBuyer} per buyer): ${counted(s.polls.answers)}`,
    ],
    [
      'admitted',
      `${s.admitted} of ${s.buyers.total}, the first seen ${s.secondsOpeningToFirstAdmission} s and the last ${s.secondsOpeningToLastAdmission} s after the opening${Object.keys(s.notAdmitted).length ? `; not admitted: ${counted(s.notAdmitted)}` : ''}`,
    ],
    [
      'admission rate',
      `${r.seenPerMinute ?? '-'}/min as seen by buyers, ${r.duePerMinute ?? '-'}/min as due, configured ${r.configuredPerMinute}/min: off by ${r.seenError === null ? '-' : `${(r.seenError * 100).toFixed(1)} %`} (over ${r.busyAdmissions} admissions in ${r.busySeconds} s)`,
    ],
    ['seen after due', `p50 ${r.seenLagMs.p50} / p99 ${r.seenLagMs.p99} / max ${r.seenLagMs.max} ms`],
    ['order, pre-open', `${corr(s.order.preOpen)} (shuffled: ≈ 0)`],
    ['order, late', `${corr(s.order.late)} (first come, first served: ≈ 1)`],
    ['purchase answers', counted(s.answers)],
    [
      '403 / 409 / 429',
      `ADMISSION_REQUIRED ${s.refusals.admissionRequired}, SALES_NOT_OPEN ${s.refusals.salesNotOpen}, RATE_LIMITED ${s.refusals.rateLimited}`,
    ],
    [
      'eager buyers',
      `before the opening: ${counted(s.eager.beforeOpening)}; without a token: ${counted(s.eager.withoutToken)}`,
    ],
    [
      'admitted buyers',
      `${counted(s.admittedOutcome)}; unsettled ${s.admittedUnsettled}, refused wrongly ${s.admittedRefusedWrongly}`,
    ],
    ['purchase latency', `${lat(s.admittedLatency)}; 2xx only p99 ${s.admittedOkLatency.p99Ms} ms`],
    ['seats sold', `${s.seatsSold} of ${s.seats}`],
  ];
}
