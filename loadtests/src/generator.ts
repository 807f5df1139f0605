// One load generator process: autocannon (programmatic, one thread) against the
// gateway. For purchases, every request gets a fresh Idempotency-Key and its
// outcome is appended to the history (JSONL) for the checker. Opens its connections
// first and prints READY; starts when the parent writes GO on its standard input (so
// the clock of a run starts when every generator is loaded and connected:
// preconnect.ts); prints PROGRESS lines while it runs and one RESULT line at the end.
import { createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { monoMs } from './history.ts';
import type { Plan, PurchaseMix } from './plan.ts';
import { handOut, openConnections } from './preconnect.ts';
import { nextPurchase, outcomeOf, type Purchase } from './purchase-mix.ts';
import { LatencyHistogram } from './stats.ts';

const plan = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Plan;
const history = plan.historyFile ? createWriteStream(plan.historyFile, { flags: 'a' }) : undefined;
// Two lines per request would be two file writes (each a system call on a libuv
// thread and a wake-up of this one: 7 % of a generator's CPU in a hot-event run,
// CPU the service under test then lacks). Lines are gathered and written together
// every HISTORY_FLUSH_MS instead; all are written before the RESULT line.
const HISTORY_FLUSH_MS = 50;
history?.cork();
const historyFlush = history
  ? setInterval(() => {
      history.uncork();
      history.cork();
    }, HISTORY_FLUSH_MS)
  : undefined;
// A fixed-size histogram, not an array of every latency: the memory stays flat however long the run.
const latencies = new LatencyHistogram();
const outcomes: Record<string, number> = {};
let completed = 0;

interface Ctx {
  started?: number;
  purchase?: Purchase;
}

const requests = plan.purchase
  ? [
      {
        method: 'POST' as const,
        path: '/',
        setupRequest: (req: Record<string, unknown>, context: Ctx) => {
          const p = nextPurchase(plan.purchase as PurchaseMix);
          context.purchase = p;
          context.started = performance.now();
          // Written before sending: an attempt that never gets an answer (timeout,
          // reset) is still in the history, as indeterminate.
          history?.write(
            `${JSON.stringify({ type: 'invoke', key: p.key, userId: p.buyer.id, eventId: p.event.id, request: p.body, at: Date.now() })}\n`,
          );
          return {
            ...req,
            path: `/api/v1/events/${p.event.id}/orders`,
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${p.buyer.token}`,
              'idempotency-key': p.key,
            },
            body: JSON.stringify(p.body),
          };
        },
        onResponse: (status: number, body: string, context: Ctx, headers: Record<string, string>) => {
          const latencyMs = performance.now() - (context.started ?? performance.now());
          latencies.record(latencyMs);
          completed++;
          const p = context.purchase;
          if (!p) return;
          const outcome = outcomeOf(status);
          let json: { id?: string; seats?: { id: string }[]; code?: string } = {};
          try {
            json = JSON.parse(body);
          } catch {}
          const label = outcome === 'ok' ? 'ok' : `${status} ${json.code ?? ''}`.trim();
          outcomes[label] = (outcomes[label] ?? 0) + 1;
          history?.write(
            `${JSON.stringify({
              type: 'complete',
              // CLOCK_MONOTONIC, the same in every process of this machine: the
              // watch scenario compares it with its subscribers' receipt times.
              mono: monoMs(),
              key: p.key,
              userId: p.buyer.id,
              eventId: p.event.id,
              // (The request itself is in the invoke line.)
              outcome,
              status,
              code: json.code,
              orderId: outcome === 'ok' ? json.id : undefined,
              seatIds: outcome === 'ok' ? json.seats?.map((s) => s.id) : undefined,
              replica: headers['x-replica-id'],
              at: Date.now(),
              latencyMs: Math.round(latencyMs * 100) / 100,
            })}\n`,
          );
        },
      },
    ]
  : [
      {
        method: 'GET' as const,
        path: plan.get as string,
        setupRequest: (req: Record<string, unknown>, context: Ctx) => {
          context.started = performance.now();
          return req;
        },
        onResponse: (status: number, _body: string, context: Ctx) => {
          latencies.record(performance.now() - (context.started ?? performance.now()));
          completed++;
          const k = String(status);
          outcomes[k] = (outcomes[k] ?? 0) + 1;
        },
      },
    ];

const sockets = plan.connectAtStart ? [] : await openConnections(plan.baseUrl, plan.ca, plan.connections);
console.log('READY');
await new Promise<void>((resolve, reject) => {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() !== 'GO') return;
    resolve();
    lines.close();
    // Nothing more is read: the open pipe must not keep the process alive.
    process.stdin.destroy();
  });
  lines.on('close', () => reject(new Error('standard input closed before GO')));
});
handOut(sockets);

const cpuStart = process.cpuUsage();
const wallStart = performance.now();
const progress = setInterval(() => console.log(`PROGRESS ${completed}`), 1000);
const instance = autocannon(
  {
    url: plan.baseUrl,
    connections: plan.connections,
    ...(plan.amount ? { amount: plan.amount } : { duration: plan.durationSeconds }),
    ...(plan.rate ? { overallRate: plan.rate } : {}),
    tlsOptions: plan.ca ? { ca: plan.ca } : undefined,
    requests: requests as never,
    timeout: 30,
  } as autocannon.Options,
  (err, result) => {
    clearInterval(progress);
    if (err) {
      console.error(err);
      process.exit(1);
    }
    const cpu = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - wallStart;
    const finish = () => {
      console.log(
        `RESULT ${JSON.stringify({
          generator: plan.generator,
          requests: result.requests.total,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          durationSeconds: result.duration,
          cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
          outcomes,
          latency: latencies.toJSON(),
        })}`,
      );
    };
    clearInterval(historyFlush);
    if (history) {
      history.uncork();
      history.end(finish);
    } else finish();
  },
);
process.on('SIGTERM', () => instance.stop());
if (plan.amount && plan.capSeconds) setTimeout(() => instance.stop(), plan.capSeconds * 1000).unref();
