// What became of the surge once the crowd is done: what is still undecided is settled
// (the admission token sent with each retry) and the checker runs; then each admitted
// buyer's final answer, and the admissions as the service made them due.
import { existsSync } from 'node:fs';
import type { CheckReport } from '../../lib/checker.ts';
import { type HistoryLine, readHistory } from '../history.ts';
import { answerLabel } from '../purchase-mix.ts';
import type { Api, PreparedBuyer } from '../target.ts';
import { checkRun, settleIndeterminate } from '../verify.ts';
import { bump } from './buyer.ts';
import type { BuyerRun } from './setup.ts';
import {
  type Admission,
  type AdmissionRate,
  type AdmissionTimeline,
  admissionRate,
  admissionTimeline,
  type OrderCorrelation,
  orderCorrelation,
} from './stats.ts';

export interface Checked {
  retried: number;
  files: string[];
  check: CheckReport;
  lines: HistoryLine[];
}

export async function settleAndCheck(
  client: Api,
  databaseUrl: string,
  eventId: string,
  historyFile: string,
  buyers: PreparedBuyer[],
  runs: BuyerRun[],
): Promise<Checked> {
  const retryFile = `${historyFile}.retries`;
  // Only the admitted purchase: an eager buyer's purchase without a token stays without one.
  const tokens = new Map(runs.filter((r) => r.purchaseKey).map((r) => [r.purchaseKey, r.token]));
  const retried = await settleIndeterminate(client, [historyFile], buyers, retryFile, (line) => {
    const token = tokens.get(line.key);
    const headers: Record<string, string> = token ? { 'admission-token': token } : {};
    return headers;
  });
  const files = existsSync(retryFile) ? [historyFile, retryFile] : [historyFile];
  const check = await checkRun(client, databaseUrl, [eventId], files);
  return { retried, files, check, lines: readHistory(files) };
}

export interface Admitted {
  admittedRuns: BuyerRun[];
  /** Each admitted buyer's final answer, by label. */
  admittedOutcome: Record<string, number>;
  /** Admitted buyers left without a definite answer. */
  unsettled: number;
  /** Admitted buyers refused as if they had not been. */
  refusedWrongly: number;
  /** Why the others were never admitted. */
  notAdmitted: Record<string, number>;
}

export function admittedOf(runs: BuyerRun[], lines: HistoryLine[]): Admitted {
  // Each admitted buyer's final answer: the last definite one for their key.
  const finalByKey = new Map<string, HistoryLine>();
  for (const l of lines) {
    if (l.type === 'invoke') continue;
    const prev = finalByKey.get(l.key);
    if (!prev || prev.outcome === 'info' || l.outcome !== 'info') finalByKey.set(l.key, l);
  }
  const admittedRuns = runs.filter((r) => r.admission);
  const admittedOutcome: Record<string, number> = {};
  let unsettled = 0;
  let refusedWrongly = 0;
  for (const r of admittedRuns) {
    const last = r.purchaseKey ? finalByKey.get(r.purchaseKey) : undefined;
    const k = last ? answerLabel(last.status ?? 0, last.code) : 'no purchase';
    bump(admittedOutcome, k);
    if (!last || last.outcome === 'info' || last.status === 429) unsettled++;
    else if (last.code === 'ADMISSION_REQUIRED' || last.code === 'SALES_NOT_OPEN') refusedWrongly++;
  }
  const notAdmitted: Record<string, number> = {};
  for (const r of runs) if (!r.admission) bump(notAdmitted, r.stopped ?? 'unknown');
  return { admittedRuns, admittedOutcome, unsettled, refusedWrongly, notAdmitted };
}

export interface Admissions {
  rate: AdmissionRate;
  timeline: AdmissionTimeline;
  order: { preOpen: OrderCorrelation; late: OrderCorrelation };
  firstSeenMs: number;
  lastSeenMs: number;
}

export function admissionsOf(
  admittedRuns: BuyerRun[],
  salesStartMs: number,
  admitPerMinute: number,
): Admissions {
  // Due times came as expiries (due + ADMISSION_TTL_SECONDS): the first drawn place is due
  // at the opening, which puts them all on the buyers' clock.
  const expiries = admittedRuns.map((r) => r.admission as Admission);
  const ttlMs = expiries.length ? Math.min(...expiries.map((a) => a.dueMs)) - salesStartMs : 0;
  const onClock = expiries.map((a) => ({ dueMs: a.dueMs - ttlMs, seenMs: a.seenMs }));
  const order = (kind: BuyerRun['kind']) => {
    const list = admittedRuns.filter((r) => r.kind === kind && r.joinOrder !== undefined);
    const byDue = [...list].sort((a, b) => (a.admission?.dueMs ?? 0) - (b.admission?.dueMs ?? 0));
    const rank = new Map(byDue.map((r, i) => [r, i]));
    return orderCorrelation(
      list.map((r) => ({ joinOrder: r.joinOrder as number, admitOrder: rank.get(r) ?? 0 })),
    );
  };
  return {
    rate: admissionRate(onClock, admitPerMinute),
    timeline: admissionTimeline(onClock, salesStartMs),
    order: { preOpen: order('pre'), late: order('late') },
    firstSeenMs: onClock.length ? Math.min(...onClock.map((a) => a.seenMs)) : salesStartMs,
    lastSeenMs: onClock.length ? Math.max(...onClock.map((a) => a.seenMs)) : salesStartMs,
  };
}
