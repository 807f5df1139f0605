// The faults scenario's buyers, one process: customers arrive at a steady rate and
// buy (one step, or a hold and then its order), and — as real clients do — a purchase
// whose answer is indeterminate (5xx, a timeout, a refused or reset connection) is
// sent again with the same Idempotency-Key until the answer is definite or
// `retryForMs` has passed. Every send and every answer goes to the history (JSONL);
// what is still undecided at the end is left to the settling pass (verify.ts).
// Prints PROGRESS lines (JSON) four times a second and one RESULT line at the end;
// SIGTERM stops new arrivals, and the process exits once the customers in flight are done.
import { createWriteStream, readFileSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { answerLine } from './answer-line.ts';
import { type Answer, exchange } from './exchange.ts';
import type { HistoryLine } from './history.ts';
import type { BuyersPlan } from './plan.ts';
import { readClusterFile } from './processes.ts';
import { answerLabel, nextPurchase, type Purchase } from './purchase-mix.ts';

const plan = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as BuyersPlan;
const history = createWriteStream(plan.historyFile, { flags: 'a' });
const write = (line: HistoryLine) => history.write(`${JSON.stringify(line)}\n`);

const httpsAgent = new HttpsAgent({ ca: plan.ca, keepAlive: true, maxSockets: plan.maxInFlight + 16 });
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: plan.maxInFlight + 16 });

interface Route {
  via: string;
  base: string;
}
const gateway: Route = { via: 'gateway', base: plan.baseUrl };

function send(route: Route, path: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const url = new URL(path, route.base);
  return exchange(
    url,
    {
      method: 'POST',
      agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    },
    plan.timeoutMs,
  );
}

// The replica the gateway sends the event's purchases to: the last one that answered one.
let eventReplica: string | undefined;
const seen = (route: Route, kind: 'event' | 'other', a: Answer) => {
  const replica = a.headers['x-replica-id'];
  if (route === gateway && kind === 'event' && typeof replica === 'string' && a.status !== 0)
    eventReplica = replica;
};

// Customers who go to a replica directly: a fixed one, or one the gateway does not send the event to.
let direct: (Route & { id: string }) | undefined;
const deadUntil = new Map<string, number>();
function directRoute(): Route | undefined {
  const d = plan.direct;
  if (!d || d.share <= 0) return undefined;
  if (d.url) return { via: `direct ${d.id ?? d.url}`, base: d.url };
  if (!eventReplica || !d.clusterFile) return undefined;
  if (direct && direct.id !== eventReplica && (deadUntil.get(direct.id) ?? 0) < Date.now()) return direct;
  const replicas = readClusterFile(d.clusterFile).replicas ?? [];
  const other = replicas.find((r) => r.id !== eventReplica && (deadUntil.get(r.id) ?? 0) < Date.now());
  direct = other && { id: other.id, via: `direct ${other.id}`, base: `http://127.0.0.1:${other.port}` };
  return direct;
}

const counts = {
  arrived: 0,
  turnedAway: 0,
  answers: 0,
  ok: 0,
  holds: {} as Record<string, number>,
  inFlight: 0,
  maxInFlight: 0,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function backoff(attempt: number, a: Answer): number {
  const retryAfter = Number(a.headers['retry-after']);
  const base =
    Number.isFinite(retryAfter) && retryAfter > 0
      ? Math.min(retryAfter * 1000, 2000)
      : Math.min(100 * 2 ** (attempt - 1), 1000);
  return base * (0.5 + Math.random());
}

async function buy(p: Purchase, startRoute: Route, path: string, body: Record<string, unknown>) {
  let route = startRoute;
  const base = { key: p.key, userId: p.buyer.id, eventId: p.event.id, path };
  write({ type: 'invoke', ...base, request: body, via: route.via, at: Date.now() });
  const first = Date.now();
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const a = await send(route, path, body, {
      authorization: `Bearer ${p.buyer.token}`,
      'idempotency-key': p.key,
    });
    seen(route, path.startsWith('/api/v1/events/') ? 'event' : 'other', a);
    const line = answerLine(
      base,
      { via: route.via, attempt, latencyMs: Math.round((performance.now() - started) * 100) / 100 },
      a,
    );
    const outcome = line.outcome;
    counts.answers++;
    if (outcome === 'ok') counts.ok++;
    write(line);
    if (outcome !== 'info' || Date.now() - first >= plan.retryForMs) return;
    // A replica that refuses connections is gone: its customers turn to the gateway.
    if (route !== gateway && a.error === 'ECONNREFUSED') {
      if (direct && route.base === direct.base) deadUntil.set(direct.id, Date.now() + 5_000);
      route = gateway;
    }
    await sleep(backoff(attempt, a));
  }
}

async function customer() {
  const p = nextPurchase(plan.purchase);
  const route = Math.random() < (plan.direct?.share ?? 0) ? (directRoute() ?? gateway) : gateway;
  if (Math.random() >= plan.holdShare) {
    await buy(p, route, `/api/v1/events/${p.event.id}/orders`, p.body);
    return;
  }
  // A hold has no Idempotency-Key: an indeterminate answer is not retried (a retry could
  // hold other seats too); the customer gives up, as a shopper who sees an error page may.
  const { payment, ...selection } = p.body;
  const hold = await send(route, `/api/v1/events/${p.event.id}/holds`, selection, {
    authorization: `Bearer ${p.buyer.token}`,
  });
  seen(route, 'event', hold);
  const k = answerLabel(hold.status, hold.status === 0 ? hold.error : hold.json?.code);
  counts.holds[k] = (counts.holds[k] ?? 0) + 1;
  if (hold.status !== 201 || !hold.json?.id) return;
  await buy(p, route, `/api/v1/holds/${hold.json.id}/order`, { payment });
}

let stopping = false;
const startedAt = performance.now();
const arrivals = setInterval(() => {
  const elapsed = (performance.now() - startedAt) / 1000;
  if (elapsed >= plan.maxSeconds) stop();
  if (stopping) return;
  const due = Math.floor(elapsed * plan.rate);
  while (counts.arrived < due) {
    counts.arrived++;
    if (counts.inFlight >= plan.maxInFlight) {
      counts.turnedAway++;
      continue;
    }
    counts.inFlight++;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    customer()
      .catch((err) => console.error(`buyers: ${err.stack ?? err}`))
      .finally(() => {
        counts.inFlight--;
      });
  }
}, 5);

// Customers never outlive the run that started them (a crashed or killed parent).
const parent = process.ppid;
let leaving = false;
const orphaned = () => {
  if (leaving) return;
  leaving = true;
  history.end(() => process.exit(1));
  setTimeout(() => process.exit(1), 2_000).unref();
};
process.stdout.on('error', orphaned);
const progress = setInterval(() => {
  if (process.ppid !== parent) return orphaned();
  console.log(
    `PROGRESS ${JSON.stringify({ answers: counts.answers, ok: counts.ok, inFlight: counts.inFlight, eventReplica })}`,
  );
}, 250);

function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(arrivals);
  const drained = setInterval(() => {
    if (counts.inFlight > 0) return;
    clearInterval(drained);
    clearInterval(progress);
    history.end(() => {
      console.log(`RESULT ${JSON.stringify({ ...counts, eventReplica })}`);
      httpsAgent.destroy();
      httpAgent.destroy();
    });
  }, 20);
}
process.on('SIGTERM', stop);
