// What one surge buyer sends: joining the queue, polling it as its
// estimatedWaitSeconds says (bounded) until admitted, and buying in one step with the
// Admission-Token and an Idempotency-Key, sending an indeterminate answer (no answer,
// 5xx) or a 429 again with the same key, with back-off, until the answer is definite
// or --retry-seconds have passed. Every answer is tallied for the report.
import { randomUUID } from 'node:crypto';
import { answerLine } from '../answer-line.ts';
import type { HistoryLine } from '../history.ts';
import { answerLabel } from '../purchase-mix.ts';
import type { PreparedBuyer } from '../target.ts';
import { type Answer, backoffMs, type Send, sleep } from './http.ts';
import type { BuyerRun } from './setup.ts';

/** Queue polls closer together than this are not sent (the last second before an admission). */
const POLL_MS = 250;
/** At the opening, buyers spread their first poll over this long (the web client polls every 3 s). */
const OPENING_SPREAD_MS = 2000;
/** After the opening, a provisional answer (the draw has not run yet) is asked again 1 to 3 s later. */
const DRAWING_PAUSE_MS = 1000;

/** The answers of all buyers, by label (answerLabel), and the admitted buyers' purchase latencies. */
export interface Tallies {
  pollAnswers: Record<string, number>;
  purchaseAnswers: Record<string, number>;
  eagerBefore: Record<string, number>;
  eagerWithout: Record<string, number>;
  admittedLatencies: number[];
  admittedOkLatencies: number[];
  /** When each purchase answer (or its absence) came. */
  purchaseAts: number[];
  joinRetries: number;
}

/** When the sale opens, and how long a buyer waits for its admission at the most. */
export interface Opening {
  salesStartMs: number;
  deadline: number;
  maxPolls: number;
}

export const bump = (r: Record<string, number>, k: string) => {
  r[k] = (r[k] ?? 0) + 1;
};
export const label = (a: Answer) => answerLabel(a.status, a.status === 0 ? a.error : a.json?.code);

export function surgeBuyer(c: {
  send: Send;
  eventId: string;
  retrySeconds: number;
  maxPollSeconds: number;
  write: (line: HistoryLine) => void;
}) {
  const tallies: Tallies = {
    pollAnswers: {},
    purchaseAnswers: {},
    eagerBefore: {},
    eagerWithout: {},
    admittedLatencies: [],
    admittedOkLatencies: [],
    purchaseAts: [],
    joinRetries: 0,
  };
  const { send, write } = c;
  const auth = (b: PreparedBuyer) => ({ authorization: `Bearer ${b.token}` });
  const queuePath = `/api/v1/events/${c.eventId}/queue`;
  const ordersPath = `/api/v1/events/${c.eventId}/orders`;

  /** Joins the queue (idempotent), sent again while the answer is indeterminate or a 429. */
  async function joinQueue(run: BuyerRun): Promise<Answer> {
    const first = Date.now();
    for (let attempt = 1; ; attempt++) {
      const a = await send('POST', queuePath, undefined, auth(run.buyer));
      if (!(a.status === 0 || a.status >= 500 || a.status === 429)) return a;
      tallies.joinRetries++;
      if (Date.now() - first >= c.retrySeconds * 1000) return a;
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
    const base = { key, userId: run.buyer.id, eventId: c.eventId };
    write({ type: 'invoke', ...base, request: body, at: Date.now() });
    const first = Date.now();
    for (let attempt = 1; ; attempt++) {
      const a = await send('POST', ordersPath, body, {
        ...auth(run.buyer),
        'idempotency-key': key,
        ...(token ? { 'admission-token': token } : {}),
      });
      const line = answerLine(base, { attempt, latencyMs: a.latencyMs }, a);
      bump(tallies.purchaseAnswers, label(a));
      if (tally) bump(tally, label(a));
      if (token && a.status !== 0) {
        tallies.admittedLatencies.push(a.latencyMs);
        if (line.outcome === 'ok') tallies.admittedOkLatencies.push(a.latencyMs);
      }
      tallies.purchaseAts.push(Date.now());
      write(line);
      const again = line.outcome === 'info' || a.status === 429;
      if (!again || Date.now() - first >= c.retrySeconds * 1000) return key;
      await sleep(backoffMs(attempt, a));
    }
  }

  /** Polls until admitted (or given up), then buys with the admission token. */
  async function wait(run: BuyerRun, opening: Opening) {
    const { salesStartMs, deadline, maxPolls } = opening;
    let triedWithout = !run.eager;
    let failures = 0;
    while (!run.admission) {
      if (Date.now() > deadline || run.polls >= maxPolls) {
        run.stopped = Date.now() > deadline ? 'deadline' : 'too many polls';
        return;
      }
      const a = await send('GET', queuePath, undefined, auth(run.buyer));
      run.polls++;
      bump(tallies.pollAnswers, a.status === 200 ? `200 ${a.json?.state}` : label(a));
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
          await purchase(run, undefined, tallies.eagerWithout);
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
          pause = est >= 2000 ? Math.min(est - 1000, c.maxPollSeconds * 1000) : POLL_MS;
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

  return { tallies, joinQueue, purchase, wait };
}
