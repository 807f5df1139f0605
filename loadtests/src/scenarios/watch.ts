// watch: N subscribers (default 1,000) follow one event's seat stream
// (`GET /events/:id/stream`, SSE through the gateway, spread over the replicas)
// while that event sells under the hot-event purchase mix at a moderate, fixed
// rate. Measures, per confirmed order and subscriber, the time from the buyer's
// 2xx to the subscriber's receipt of the seat change (see watch/latency.ts), and
// checks that every subscriber saw every sold seat. Bounded: a fixed number of
// attempts at a fixed rate, a connect deadline and a drain deadline.
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { readHistory } from '../history.ts';
import type { Options } from '../options.ts';
import { pidSource } from '../processes.ts';
import type { Report } from '../report.ts';
import type { Api, Target } from '../target.ts';
import {
  ordersFromHistory,
  type SubscriberProcessResult,
  summarizeWatch,
  type WatchOrder,
  watchFailures,
} from '../watch/latency.ts';
import type { ChildMessage, ParentMessage, SubscriberConfig } from '../watch/subscriber.ts';
import { runPurchaseScenario } from './purchase.ts';
import { prepare, sectionsFor } from './sales.ts';

const subscriberEntry = join(import.meta.dirname, '../watch/subscriber.ts');
const CONNECT_TIMEOUT_MS = 20_000;
/** After the sale, how long subscribers may take to receive the last changes. */
const DRAIN_MS = 10_000;

interface SubscriberProcess {
  child: ChildProcess;
  count: number;
  next(type: ChildMessage['type'], timeoutMs: number): Promise<ChildMessage>;
}

function startProcess(config: SubscriberConfig): SubscriberProcess {
  const child = fork(subscriberEntry, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: ChildMessage[] = [];
  let waiter: (() => void) | undefined;
  let exited: string | undefined;
  child.on('message', (m: ChildMessage) => {
    queue.push(m);
    waiter?.();
  });
  child.on('exit', (code, signal) => {
    exited = `subscriber process exited (${signal ?? code})`;
    waiter?.();
  });
  child.send({ type: 'start', config } satisfies ParentMessage);
  const next = async (type: ChildMessage['type'], timeoutMs: number): Promise<ChildMessage> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = queue.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const m = queue.splice(i, 1)[0] as ChildMessage;
        if (m.type === 'error') throw new Error(`subscriber process: ${m.message}`);
        return m;
      }
      if (exited) throw new Error(exited);
      if (Date.now() > deadline) throw new Error(`subscriber process: no ${type} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        waiter = resolve;
        setTimeout(resolve, 250).unref();
      });
      waiter = undefined;
    }
  };
  return { child, count: config.count, next };
}

export async function watch(o: Options, target: Target, client: Api): Promise<Report> {
  const subscribers = o.subscribers ?? 1000;
  const seats = o.seats ?? 500;
  const rate = o.rate ?? 20;
  const amount = o.amount ?? Math.ceil(seats * 0.8);
  const http = o.watchHttp ?? 2;
  const processes = Math.max(1, Math.min(subscribers, o.watchProcesses ?? Math.ceil(subscribers / 500)));
  const { events, buyers } = await prepare(o, target, client, 1, sectionsFor(seats));
  const event = events[0] as (typeof events)[0];

  const protocol = http === 1 ? 'HTTP/1.1' : 'HTTP/2';
  console.log(`  connecting ${subscribers} subscribers (${protocol}, ${processes} process(es))…`);
  const children: SubscriberProcess[] = [];
  try {
    for (let p = 0; p < processes; p++) {
      const count = Math.floor(subscribers / processes) + (p < subscribers % processes ? 1 : 0);
      children.push(
        startProcess({
          baseUrl: target.baseUrl,
          ca: target.ca,
          eventId: event.id,
          seatIds: event.seatIds,
          count,
          http,
          streamsPerConnection: 100,
          connectTimeoutMs: CONNECT_TIMEOUT_MS,
          concurrency: 100,
        }),
      );
    }
    let connected = 0;
    for (const c of children) {
      const ready = await c.next('ready', CONNECT_TIMEOUT_MS + 60_000);
      if (ready.type === 'ready') connected += ready.connected;
    }
    console.log(`  ${connected} of ${subscribers} subscribers ready; selling at ${rate} attempts/s`);

    const report = await runPurchaseScenario({
      scenario: 'watch',
      target,
      client,
      events,
      buyers,
      // The hot-event mix: overlapping seat ids and best-N, 1–4 seats, 2 % declined.
      mix: { quantityShare: 0.5, maxSeats: 4, declineShare: 0.02 },
      connections: Math.min(o.connections, rate, amount),
      generators: o.generators,
      amount,
      rate,
      durationSeconds: o.durationSeconds,
      measure: 'purchases',
      reference: null,
      cpu: children.map((c, i) =>
        pidSource(`subscribers ${i + 1}`, 'watch subscribers', () => c.child.pid ?? undefined),
      ),
      systemLimit: `the offered purchase rate (--rate ${rate} attempts/s): watch measures delivery, not throughput`,
    });

    const orders: WatchOrder[] = ordersFromHistory(
      readHistory(report.details.historyFiles as string[]),
      event.seatIds,
    );
    console.log(`  waiting for ${orders.length} orders to reach every subscriber…`);
    const parts: SubscriberProcessResult[] = [];
    for (const c of children)
      c.child.send({ type: 'finish', orders, graceMs: DRAIN_MS } satisfies ParentMessage);
    for (const c of children) {
      const result = await c.next('result', DRAIN_MS + 60_000);
      if (result.type === 'result') parts.push(result);
    }
    const summary = summarizeWatch(parts, orders, { http: protocol });
    return {
      ...report,
      watch: summary,
      failures: [...(report.failures ?? []), ...watchFailures(summary)],
      details: { ...report.details, subscribers, rate, amount },
    };
  } finally {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill();
  }
}
