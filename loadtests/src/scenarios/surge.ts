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
//
// The steps live under surge/: setup.ts (the crowd, the event, the accounts),
// buyer.ts (one buyer's requests), crowd.ts (the surge itself), outcome.ts (settling,
// checking, admissions), verdict.ts and load.ts (the figures and what fails the run).
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryLine } from '../history.ts';
import type { Options } from '../options.ts';
import { checkFigures, machine, type Report, resultsDir } from '../report.ts';
import { surgeBuyer } from '../surge/buyer.ts';
import { runCrowd } from '../surge/crowd.ts';
import { sender } from '../surge/http.ts';
import { surgeLoad } from '../surge/load.ts';
import { admissionsOf, admittedOf, settleAndCheck } from '../surge/outcome.ts';
import { crowdOf, prepareSurge } from '../surge/setup.ts';
import { surgeFailures, surgeSummary } from '../surge/verdict.ts';
import type { Api, Target } from '../target.ts';

export async function surge(o: Options, target: Target, client: Api): Promise<Report> {
  if (!target.databaseUrl) throw new Error('surge checks the database: run it against a local cluster');
  const crowd = crowdOf(o);
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replaceAll(':', '-').replace(/\..*/, '');
  const { event, patch, accounts, runs } = await prepareSurge(o, target, client, crowd);

  mkdirSync(resultsDir, { recursive: true });
  const historyFile = join(resultsDir, `surge-${stamp}.history.jsonl`);
  const history = createWriteStream(historyFile, { flags: 'a' });
  const http = sender(target.baseUrl, target.ca, 128, o.timeoutMs);
  const buyer = surgeBuyer({
    send: http.send,
    eventId: event.id,
    retrySeconds: o.retrySeconds,
    maxPollSeconds: o.maxPollSeconds,
    write: (line: HistoryLine) => history.write(`${JSON.stringify(line)}\n`),
  });
  const crowdResult = await runCrowd(crowd, runs, buyer, {
    target,
    openInSeconds: o.openInSeconds,
    retrySeconds: o.retrySeconds,
    open: (salesStartAt) => patch({ salesStartAt }),
  });
  await new Promise<void>((done) => history.end(done));
  http.close();

  const { salesStartMs } = crowdResult;
  const checked = await settleAndCheck(
    client,
    target.databaseUrl,
    event.id,
    historyFile,
    accounts.buyers,
    runs,
  );
  const { check, lines, files } = checked;
  const admitted = admittedOf(runs, lines);
  const admissions = admissionsOf(admitted.admittedRuns, salesStartMs, crowd.admitPerMinute);
  const map = await client.seatMap(event.id);
  const seatsSold = map.seats.filter((s) => s.status === 'sold').length;
  const { tallies } = buyer;
  const summary = surgeSummary({
    crowd,
    accounts,
    runs,
    tallies,
    crowdResult,
    admitted,
    admissions,
    seats: event.seatIds.length,
    seatsSold,
    openInSeconds: o.openInSeconds,
  });
  const failures = surgeFailures(summary, runs.length);
  const { load, sales, purchasesPerSecond, secondsUntilLastSale } = surgeLoad(
    lines,
    tallies,
    crowdResult,
    summary.admittedLatency,
  );
  return {
    scenario: 'surge',
    startedAt,
    machine: machine(),
    ...checkFigures(check),
    throughput: load.throughput,
    purchasesPerSecond,
    sales,
    cpu: load.cpu,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    reference: null,
    ratio: null,
    generatorCpuPercent: load.generatorCpuPercent,
    limitedBy: `the waiting room's admission rate (${crowd.admitPerMinute}/min), by design`,
    surge: summary,
    failures,
    details: {
      eventId: event.id,
      seats: event.seatIds.length,
      seatsSold,
      secondsUntilLastSale,
      retriedIndeterminate: checked.retried,
      historyFiles: files,
    },
    load,
    check,
  };
}
