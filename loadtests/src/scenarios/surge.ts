// surge (issue #12, item 5): an event with a waiting room and ten times more
// buyers than seats. Most buyers join the queue before the opening (a few of them
// eager: they try to buy before it, and without a token after it), the rest join
// after it, one by one. Each polls GET /events/:id/queue as its
// estimatedWaitSeconds says (bounded), and once admitted buys in one step with its
// Admission-Token and an Idempotency-Key, sending an indeterminate answer (no
// answer, 5xx) or a 429 again with the same key, with back-off, until the answer
// is definite or --retry-seconds have passed. Then the settling pass and the
// checker, as in every purchase scenario, and the figures: admissions per minute
// against the configured rate, the order of admission against the order of
// joining, the admitted buyers' purchase latency, answers by status.
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from '../cli.ts';
import { CpuSampler } from '../cpu.ts';
import { type HistoryLine, monoMs, readHistory } from '../history.ts';
import { clusterSources, harnessSource, hasCluster } from '../processes.ts';
import { answerLabel, outcomeOf } from '../purchase-mix.ts';
import { machine, type Report, resultsDir } from '../report.ts';
import type { LoadResult } from '../run-load.ts';
import { salesTimeline } from '../sales-timeline.ts';
import { surgeBuyers } from '../surge/accounts.ts';
import { type Answer, backoffMs, sender, sleep } from '../surge/http.ts';
import {
  type Admission,
  admissionRate,
  admissionTimeline,
  orderCorrelation,
  percentile,
} from '../surge/stats.ts';
import type { LatencySummary, SurgeSummary } from '../surge/summary.ts';
import { type Api, adminToken, createEvent, type PreparedBuyer, type Target } from '../target.ts';
import { checkRun, settleIndeterminate } from '../verify.ts';

/** Queue polls closer together than this are not sent (the last second before an admission). */
const POLL_MS = 250;
/** At the opening, buyers spread their first poll over this long (the web client polls every 3 s). */
const OPENING_SPREAD_MS = 2000;
/** After the opening, a provisional answer (the draw has not run yet) is asked again 1 to 3 s later. */
const DRAWING_PAUSE_MS = 1000;
/** Pre-open joins in flight at once. */
const JOIN_CONCURRENCY = 16;
/** The rate may be off by this share of the configured one. */
const RATE_TOLERANCE = 0.1;

interface BuyerRun {
  buyer: PreparedBuyer;
  kind: 'pre' | 'late';
  eager: boolean;
  joinOrder?: number;
  polls: number;
  admission?: Admission;
  token?: string;
  /** Why the buyer stopped waiting, when never admitted. */
  stopped?: string;
  purchaseKey?: string;
}

export async function surge(o: Options, target: Target, client: Api): Promise<Report> {
  if (!target.databaseUrl) throw new Error('surge checks the database: run it against a local cluster');
  const seats = o.seats ?? 200;
  const buyerCount = o.requestedBuyers ?? 10 * seats;
  const admitPerMinute = o.admitPerMinute ?? 2400;
  const lateCount = Math.round(buyerCount * o.lateShare);
  const preCount = buyerCount - lateCount;
  const eagerCount = Math.min(preCount, Math.round(preCount * o.eagerShare));
  const gapMs = 60_000 / admitPerMinute;
  // Late joiners arrive while the drawn line is still being admitted (its first quarter).
  const lateGapMs = Math.max(10, Math.round((preCount * gapMs) / 4 / Math.max(1, lateCount)));
  const lateFromSeconds = 0.5;
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replaceAll(':', '-').replace(/\..*/, '');

  console.log(`  preparing one ${seats}-seat event and ${buyerCount} buyers…`);
  const admin = await adminToken(client, target);
  const event = await createEvent(client, admin, `Surge ${o.tag}`, surgeSections(seats));
  const patch = (body: Record<string, unknown>) =>
    client
      .call('PATCH', `/api/v1/admin/events/${event.id}`, body, { authorization: `Bearer ${admin}` })
      .then((res) => {
        if (res.status !== 200)
          throw new Error(`event not changed: ${res.status} ${JSON.stringify(res.json)}`);
      });
  // Far ahead while the buyers are prepared and join; moved to a few seconds ahead after.
  await patch({
    salesStartAt: new Date(Date.now() + 3600_000).toISOString(),
    waitingRoom: { enabled: true, admitPerMinute },
    maxTicketsPerCustomer: 4,
  });
  const accounts = await surgeBuyers(client, target, buyerCount, o.tag, o.signupConcurrency);
  console.log(
    `  buyers: ${accounts.reused} reused, ${accounts.signedUp} signed up, ${accounts.loggedIn} logged in (${accounts.seconds} s)`,
  );
  const runs: BuyerRun[] = accounts.buyers.map((buyer, i) => ({
    buyer,
    kind: i < preCount ? 'pre' : 'late',
    eager: i < eagerCount,
    polls: 0,
  }));

  mkdirSync(resultsDir, { recursive: true });
  const historyFile = join(resultsDir, `surge-${stamp}.history.jsonl`);
  const retryFile = `${historyFile}.retries`;
  const history = createWriteStream(historyFile, { flags: 'a' });
  const write = (line: HistoryLine) => history.write(`${JSON.stringify(line)}\n`);
  const http = sender(target.baseUrl, target.ca, 128, o.timeoutMs);
  const { send } = http;
  const auth = (b: PreparedBuyer) => ({ authorization: `Bearer ${b.token}` });
  const queuePath = `/api/v1/events/${event.id}/queue`;
  const ordersPath = `/api/v1/events/${event.id}/orders`;

  const pollAnswers: Record<string, number> = {};
  const purchaseAnswers: Record<string, number> = {};
  const eagerBefore: Record<string, number> = {};
  const eagerWithout: Record<string, number> = {};
  const admittedLatencies: number[] = [];
  const admittedOkLatencies: number[] = [];
  const purchaseAts: number[] = [];
  let joinRetries = 0;
  const bump = (r: Record<string, number>, k: string) => {
    r[k] = (r[k] ?? 0) + 1;
  };
  const label = (a: Answer) => answerLabel(a.status, a.status === 0 ? a.error : a.json?.code);

  /** Joins the queue (idempotent), sent again while the answer is indeterminate or a 429. */
  async function joinQueue(run: BuyerRun): Promise<Answer> {
    const first = Date.now();
    for (let attempt = 1; ; attempt++) {
      const a = await send('POST', queuePath, undefined, auth(run.buyer));
      if (!(a.status === 0 || a.status >= 500 || a.status === 429)) return a;
      joinRetries++;
      if (Date.now() - first >= o.retrySeconds * 1000) return a;
      await sleep(Math.max(500, backoffMs(attempt, a)));
    }
  }

  /** One purchase with its own key, retried while indeterminate or rate-limited. */
  async function purchase(run: BuyerRun, token: string | undefined, tally?: Record<string, number>) {
    const key = randomUUID();
    const body = {
      quantity: Math.random() < 0.5 ? 1 : 2,
      payment: { method: 'test', card: '4242424242424242' },
    };
    const base = { key, userId: run.buyer.id, eventId: event.id };
    write({ type: 'invoke', ...base, request: body, at: Date.now() });
    const first = Date.now();
    for (let attempt = 1; ; attempt++) {
      const a = await send('POST', ordersPath, body, {
        ...auth(run.buyer),
        'idempotency-key': key,
        ...(token ? { 'admission-token': token } : {}),
      });
      const outcome = a.status === 0 ? 'info' : outcomeOf(a.status);
      bump(purchaseAnswers, label(a));
      if (tally) bump(tally, label(a));
      if (token && a.status !== 0) {
        admittedLatencies.push(a.latencyMs);
        if (outcome === 'ok') admittedOkLatencies.push(a.latencyMs);
      }
      purchaseAts.push(Date.now());
      write({
        type: 'complete',
        ...base,
        attempt,
        outcome,
        status: a.status,
        code: a.status === 0 ? a.error : a.json?.code,
        orderId: outcome === 'ok' ? a.json?.id : undefined,
        seatIds: outcome === 'ok' ? a.json?.seats?.map((s: { id: string }) => s.id) : undefined,
        replica: a.headers['x-replica-id'] as string | undefined,
        at: Date.now(),
        mono: monoMs(),
        latencyMs: a.latencyMs,
      });
      const again = outcome === 'info' || a.status === 429;
      if (!again || Date.now() - first >= o.retrySeconds * 1000) return key;
      await sleep(backoffMs(attempt, a));
    }
  }

  // Joins before the opening, a few at a time; the order of their answers is the join order.
  let joined = 0;
  const preJoins: Record<string, number> = {};
  const joinStarted = performance.now();
  {
    let next = 0;
    const worker = async () => {
      while (next < preCount) {
        const run = runs[next++] as BuyerRun;
        const a = await joinQueue(run);
        bump(preJoins, a.status === 200 ? `200 ${a.json?.state}` : label(a));
        if (a.status === 200) run.joinOrder = joined++;
        else run.stopped = `join ${label(a)}`;
        if (run.eager && a.status === 200) await purchase(run, undefined, eagerBefore);
      }
    };
    await Promise.all(Array.from({ length: JOIN_CONCURRENCY }, worker));
  }
  const preOpenSeconds = Math.round((performance.now() - joinStarted) / 100) / 10;
  const salesStartMs = Date.now() + o.openInSeconds * 1000;
  const salesStartAt = new Date(salesStartMs).toISOString();
  await patch({ salesStartAt });
  console.log(
    `  ${joined} joined in ${preOpenSeconds} s; sales open at ${salesStartAt} (in ${o.openInSeconds} s)`,
  );

  // Everyone waits at most until the whole line should have been admitted, and then some.
  const deadline = salesStartMs + ((buyerCount * gapMs) / 1000 + o.retrySeconds + 30) * 1000 * 1.5;
  const maxPolls = Math.ceil((deadline - Date.now()) / 1000) + 100;

  async function wait(run: BuyerRun) {
    let triedWithout = !run.eager;
    let failures = 0;
    while (!run.admission) {
      if (Date.now() > deadline || run.polls >= maxPolls) {
        run.stopped = Date.now() > deadline ? 'deadline' : 'too many polls';
        return;
      }
      const a = await send('GET', queuePath, undefined, auth(run.buyer));
      run.polls++;
      bump(pollAnswers, a.status === 200 ? `200 ${a.json?.state}` : label(a));
      const now = Date.now();
      let pause: number;
      if (a.status === 200 && a.json?.state === 'admitted') {
        const expiresAt = Date.parse(a.json.expiresAt);
        run.token = a.json.admissionToken;
        // Due time relative to the expiry (ADMISSION_TTL_SECONDS later): the TTL is the same for all.
        run.admission = { dueMs: expiresAt, seenMs: now };
        break;
      }
      if (a.status === 200 && a.json?.state === 'waiting') {
        failures = 0;
        if (now >= salesStartMs && !triedWithout) {
          triedWithout = true;
          await purchase(run, undefined, eagerWithout);
        }
        const est = Number(a.json.estimatedWaitSeconds) * 1000;
        if (a.json.provisional) {
          // The draw decides: wake at the opening (spread a little), or soon if it is running now.
          pause =
            now < salesStartMs
              ? salesStartMs - now + Math.random() * OPENING_SPREAD_MS
              : DRAWING_PAUSE_MS * (1 + 2 * Math.random());
        } else {
          // Exact, rounded up to a second: sleep to a second before it, then poll closely.
          pause = est >= 2000 ? Math.min(est - 1000, o.maxPollSeconds * 1000) : POLL_MS;
        }
      } else if (a.status === 200 && a.json?.state === 'expired') {
        run.stopped = 'expired before seen';
        return;
      } else if (a.status === 0 || a.status >= 500 || a.status === 429) {
        // No answer or an overloaded cluster: at least a second, as a page would.
        pause = Math.max(1000, backoffMs(++failures, a));
      } else {
        run.stopped = `poll ${label(a)}`;
        return;
      }
      await sleep(pause);
    }
    run.purchaseKey = await purchase(run, run.token);
  }

  const sampler =
    hasCluster(target.runDir) && CpuSampler.available()
      ? new CpuSampler({ sources: [...clusterSources(target.runDir), harnessSource()] }).start()
      : undefined;
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  const progress = setInterval(() => {
    const admitted = runs.filter((r) => r.admission).length;
    const bought = runs.filter((r) => r.purchaseKey).length;
    const line = `  surge: ${admitted} admitted, ${bought} done, ${purchaseAnswers['201'] ?? 0} bought`;
    process.stdout.write(process.stdout.isTTY ? `\r${line}      ` : `${line}\n`);
  }, 2000);

  const lateJoins: Record<string, number> = {};
  const lateRuns = runs.filter((r) => r.kind === 'late');
  const late = (async () => {
    await sleep(salesStartMs + lateFromSeconds * 1000 - Date.now());
    const t0 = performance.now();
    await Promise.all(
      lateRuns.map(async (run, i) => {
        await sleep(t0 + i * lateGapMs - performance.now());
        // The order of sending, one every lateGapMs: first come, first served should keep it.
        run.joinOrder = i;
        const a = await joinQueue(run);
        bump(lateJoins, a.status === 200 ? `200 ${a.json?.state}` : label(a));
        if (a.status !== 200) {
          run.stopped = `join ${label(a)}`;
          return;
        }
        await wait(run);
      }),
    );
  })();
  await Promise.all([...runs.filter((r) => r.kind === 'pre' && r.joinOrder !== undefined).map(wait), late]);
  clearInterval(progress);
  if (process.stdout.isTTY) process.stdout.write('\n');
  const cpuUsed = process.cpuUsage(cpuStart);
  const wallMs = performance.now() - wallStart;
  const cpu = sampler?.stop();
  await new Promise<void>((done) => history.end(done));
  http.close();

  // Settling and the checker, the admission token sent with each retry.
  // Only the admitted purchase: an eager buyer's purchase without a token stays without one.
  const tokens = new Map(runs.filter((r) => r.purchaseKey).map((r) => [r.purchaseKey, r.token]));
  const retried = await settleIndeterminate(client, [historyFile], accounts.buyers, retryFile, (line) => {
    const token = tokens.get(line.key);
    const headers: Record<string, string> = token ? { 'admission-token': token } : {};
    return headers;
  });
  const files = existsSync(retryFile) ? [historyFile, retryFile] : [historyFile];
  const check = await checkRun(client, target.databaseUrl, [event.id], files);
  const lines = readHistory(files);

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

  // Due times came as expiries (due + ADMISSION_TTL_SECONDS): the first drawn place is due
  // at the opening, which puts them all on the buyers' clock.
  const expiries = admittedRuns.map((r) => r.admission as Admission);
  const ttlMs = expiries.length ? Math.min(...expiries.map((a) => a.dueMs)) - salesStartMs : 0;
  const onClock = expiries.map((a) => ({ dueMs: a.dueMs - ttlMs, seenMs: a.seenMs }));
  const admissions = onClock;
  const rate = admissionRate(onClock, admitPerMinute);
  const timeline = admissionTimeline(onClock, salesStartMs);
  const order = (kind: BuyerRun['kind']) => {
    const list = admittedRuns.filter((r) => r.kind === kind && r.joinOrder !== undefined);
    const byDue = [...list].sort((a, b) => (a.admission?.dueMs ?? 0) - (b.admission?.dueMs ?? 0));
    const rank = new Map(byDue.map((r, i) => [r, i]));
    return orderCorrelation(
      list.map((r) => ({ joinOrder: r.joinOrder as number, admitOrder: rank.get(r) ?? 0 })),
    );
  };
  const notAdmitted: Record<string, number> = {};
  for (const r of runs) if (!r.admission) bump(notAdmitted, r.stopped ?? 'unknown');
  const map = await client.seatMap(event.id);
  const seatsSold = map.seats.filter((s) => s.status === 'sold').length;
  const lastSeen = admissions.length ? Math.max(...admissions.map((a) => a.seenMs)) : salesStartMs;
  const firstSeen = admissions.length ? Math.min(...admissions.map((a) => a.seenMs)) : salesStartMs;

  const summary: SurgeSummary = {
    seats: event.seatIds.length,
    buyers: { total: buyerCount, preOpen: preCount, late: lateCount, eager: eagerCount },
    accounts: {
      reused: accounts.reused,
      signedUp: accounts.signedUp,
      loggedIn: accounts.loggedIn,
      seconds: accounts.seconds,
      perSecond: accounts.perSecond,
    },
    admitPerMinute,
    salesStartAt,
    openInSeconds: o.openInSeconds,
    joins: { preOpenSeconds, preOpen: preJoins, late: lateJoins, retries: joinRetries },
    lateGapMs,
    lateFromSeconds,
    polls: {
      total: runs.reduce((n, r) => n + r.polls, 0),
      maxPerBuyer: Math.max(0, ...runs.map((r) => r.polls)),
      answers: pollAnswers,
    },
    admitted: admittedRuns.length,
    notAdmitted,
    rate,
    timeline,
    order: { preOpen: order('pre'), late: order('late') },
    answers: purchaseAnswers,
    refusals: {
      admissionRequired: countCode(purchaseAnswers, '403 ADMISSION_REQUIRED'),
      salesNotOpen: countCode(purchaseAnswers, '409 SALES_NOT_OPEN'),
      rateLimited: Object.entries(purchaseAnswers)
        .filter(([k]) => k.startsWith('429'))
        .reduce((n, [, c]) => n + c, 0),
    },
    eager: { beforeOpening: eagerBefore, withoutToken: eagerWithout },
    admittedLatency: latency(admittedLatencies),
    admittedOkLatency: latency(admittedOkLatencies),
    admittedOutcome,
    admittedUnsettled: unsettled,
    admittedRefusedWrongly: refusedWrongly,
    seatsSold,
    secondsOpeningToFirstAdmission: Math.round((firstSeen - salesStartMs) / 100) / 10,
    secondsOpeningToLastAdmission: Math.round((lastSeen - salesStartMs) / 100) / 10,
  };

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
    failures.push(
      `${runs.length - admittedRuns.length} buyer(s) not admitted: ${JSON.stringify(notAdmitted)}`,
    );
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
  if (seatsSold === 0) failures.push('nothing was sold');

  const history2 = lines.filter((l) => l.type !== 'invoke');
  const answered = history2.filter((l) => l.type === 'complete');
  const openedFor = Math.max(0.001, (Math.max(salesStartMs, ...purchaseAts) - salesStartMs) / 1000);
  const sales = salesTimeline(lines, salesStartMs);
  const okAts = answered.filter((l) => l.outcome === 'ok').map((l) => l.at);
  const sellingSeconds = okAts.length
    ? Math.max(0.001, (Math.max(...okAts) - salesStartMs) / 1000)
    : openedFor;
  const purchaseOutcomes: Record<string, number> = {};
  for (const [k, n] of Object.entries(purchaseAnswers))
    if (!k.startsWith('no answer')) purchaseOutcomes[k === '201' || k === '200' ? 'ok' : k] = n;
  const timelinePerSecond = new Array<number>(Math.max(1, Math.ceil(openedFor))).fill(0);
  for (const at of purchaseAts) {
    const i = Math.max(0, Math.min(timelinePerSecond.length - 1, Math.floor((at - salesStartMs) / 1000)));
    timelinePerSecond[i] = (timelinePerSecond[i] ?? 0) + 1;
  }
  const noAnswer = Object.entries(purchaseAnswers)
    .filter(([k]) => k.startsWith('no answer'))
    .reduce((n, [, c]) => n + c, 0);
  const load: LoadResult = {
    requests: purchaseAts.length,
    errors: noAnswer,
    timeouts: purchaseAnswers['no answer (TIMEOUT)'] ?? 0,
    durationSeconds: Math.round(openedFor * 10) / 10,
    throughput: purchaseAts.length / openedFor,
    p50Ms: summary.admittedLatency.p50Ms,
    p90Ms: summary.admittedLatency.p90Ms,
    p99Ms: summary.admittedLatency.p99Ms,
    outcomes: purchaseOutcomes,
    generatorCpuPercent: [((cpuUsed.user + cpuUsed.system) / 1000 / wallMs) * 100],
    timeline: timelinePerSecond,
    startedAtMs: salesStartMs,
    cpu,
  };
  return {
    scenario: 'surge',
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
    purchasesPerSecond: okAts.length / sellingSeconds,
    sales,
    cpu,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    reference: null,
    ratio: null,
    generatorCpuPercent: load.generatorCpuPercent,
    limitedBy: `the waiting room's admission rate (${admitPerMinute}/min), by design`,
    surge: summary,
    failures,
    details: {
      eventId: event.id,
      seats: event.seatIds.length,
      seatsSold,
      secondsUntilLastSale: sellingSeconds,
      retriedIndeterminate: retried,
      historyFiles: files,
    },
    load,
    check,
  };
}

/** Exactly `seats` seats: rows of up to 50, the remainder in a row of its own. */
export function surgeSections(seats: number) {
  const perRow = Math.min(50, seats);
  const rows = Math.floor(seats / perRow);
  const rest = seats - rows * perRow;
  return [
    { name: 'Floor', rows, seatsPerRow: perRow, priceCents: 7000 },
    ...(rest > 0 ? [{ name: 'Balcony', rows: 1, seatsPerRow: rest, priceCents: 5000 }] : []),
  ];
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
