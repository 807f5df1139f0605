// soak: a long sale (issue #15). At least --purchases (default 100,000) single-seat
// purchases confirmed over enough events of 1,200 seats, capped by --duration (default
// 3600 s), with a steady background: seat-map reads, a few seat-stream subscribers and
// holds that are released again (HOLD_TTL is 600 s: left alone they would only expire
// after the run). Every 10 s it samples each replica's RSS and heap (/metrics), the
// PostgreSQL connections (pg_stat_activity), Redis memory (INFO memory), the open seat
// streams (tickets_sse_subscribers) and the generators' memory (/proc); throughput and
// p50/p99 per 10 s window come from the history afterwards (streamed, one fixed-size
// histogram per window). The whole history is checked like every run (oversold / lost /
// phantom / I4 / I5, streamed), and a sample of buyers' own purchase histories
// (GET /api/v1/orders) is compared with the orders they were acknowledged.
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Options } from '../cli.ts';
import { streamHistory } from '../history.ts';
import { readClusterFile } from '../processes.ts';
import type { Report } from '../report.ts';
import { LatencyHistogram } from '../stats.ts';
import type { Api, PreparedBuyer, PreparedEvent, Target } from '../target.ts';
import { SseParser } from '../watch/sse.ts';
import { runPurchaseScenario } from './purchase.ts';
import { prepare } from './sales.ts';

const SEATS_PER_EVENT = 1200;
const SAMPLE_SECONDS = 10;
/** GET /api/v1/orders answers the newest 500 orders, without paging: a buyer is kept below that. */
const ORDERS_LISTED = 500;

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  replicas: Record<
    string,
    { rssBytes: number | null; heapUsedBytes: number | null; sseStreams: number | null }
  >;
  pgConnections: number | null;
  redisUsedMemoryBytes: number | null;
  sseStreams: number;
  generatorsRssBytes: number;
  harnessRssBytes: number;
  harnessHeapUsedBytes: number;
}

export interface SoakWindow {
  t: number;
  answersPerSecond: number;
  purchasesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SoakSummary {
  sampleSeconds: number;
  samples: SoakSample[];
  windows: SoakWindow[];
  background: {
    seatMapReads: number;
    seatMapErrors: number;
    subscribers: number;
    streamEvents: number;
    streamReconnects: number;
    holds: number;
    holdsReleased: number;
    holdErrors: number;
  };
  memory: {
    generatorsPeakRssBytes: number;
    /** Sum over the replicas of their RSS: the first sample ≥ 60 s and the last one. */
    replicasRssAfterFirstMinute: Record<string, number | null>;
    replicasRssAtEnd: Record<string, number | null>;
    generatorsRssAfterFirstMinute: number | null;
    generatorsRssAtEnd: number | null;
  };
  orderHistories: { buyers: number; compared: number; missing: number; unexpected: number; notes: string[] };
}

/** Prometheus text format: the value of an unlabelled sample, or the sum over its labels. */
export function metricValue(text: string, name: string): number | null {
  let found = false;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) {
      found = true;
      sum += v;
    }
  }
  return found ? sum : null;
}

/** RSS of this process's load generators (children running generator.ts), from /proc. */
function generatorsRss(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (!status.includes(`\nPPid:\t${process.pid}\n`)) continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('generator.ts')) continue;
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      if (kb) total += Number(kb) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)] as T;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The background of the sale and the 10 s sampler; `stop` ends both. */
function background(
  o: Options,
  target: Target,
  client: Api,
  events: PreparedEvent[],
  buyers: PreparedBuyer[],
) {
  const counts = {
    seatMapReads: 0,
    seatMapErrors: 0,
    subscribers: 0,
    streamEvents: 0,
    streamReconnects: 0,
    holds: 0,
    holdsReleased: 0,
    holdErrors: 0,
  };
  const samples: SoakSample[] = [];
  let running = true;
  let loadStartedAtMs = Date.now();
  const loops: Promise<void>[] = [];
  const openStreams = new Set<() => void>();

  // Seat-map reads through the gateway: a steady few per second.
  const readMaps = async () => {
    while (running) {
      const e = pick(events);
      await client
        .call('GET', `/api/v1/events/${e.id}/seats`)
        .then((r) => {
          if (r.status === 200) counts.seatMapReads++;
          else counts.seatMapErrors++;
        })
        .catch(() => counts.seatMapErrors++);
      await sleep(200);
    }
  };
  // Holds that are released again: one every second or so, released after 1–3 s.
  const holdAndRelease = async () => {
    while (running) {
      const buyer = pick(buyers);
      const auth = { authorization: `Bearer ${buyer.token}` };
      try {
        const hold = await client.call(
          'POST',
          `/api/v1/events/${pick(events).id}/holds`,
          { quantity: 1 },
          auth,
        );
        if (hold.status === 201 && hold.json?.id) {
          counts.holds++;
          await sleep(1000 + Math.random() * 2000);
          const released = await client.call('DELETE', `/api/v1/holds/${hold.json.id}`, undefined, auth);
          if (released.status >= 200 && released.status < 300) counts.holdsReleased++;
          else counts.holdErrors++;
        } else counts.holdErrors++;
      } catch {
        counts.holdErrors++;
      }
      await sleep(1000);
    }
  };
  // A few seat-stream subscribers, reconnecting when a stream ends.
  const subscribe = async (eventId: string) => {
    while (running) {
      await new Promise<void>((done) => {
        const parser = new SseParser();
        const req = request(new URL(`/api/v1/events/${eventId}/stream`, target.baseUrl), {
          ca: target.ca,
          headers: { accept: 'text/event-stream' },
        });
        const close = () => {
          req.destroy();
          done();
        };
        openStreams.add(close);
        req.on('response', (res) => {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            counts.streamEvents += parser.push(chunk).length;
          });
          res.on('end', close);
          res.on('error', close);
        });
        req.on('error', close);
        req.on('close', () => {
          openStreams.delete(close);
          done();
        });
        req.end();
      });
      if (running) {
        counts.streamReconnects++;
        await sleep(1000);
      }
    }
  };

  const pool = target.databaseUrl ? new pg.Pool({ connectionString: target.databaseUrl, max: 1 }) : undefined;
  const redis = (target.redisUrls ?? []).map(
    (url) => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false }),
  );
  const sample = async () => {
    const replicas: SoakSample['replicas'] = {};
    const state = target.stateFile ? readClusterFile(target.stateFile) : {};
    await Promise.all(
      (state.replicas ?? []).map(async (r) => {
        const text = await fetch(`http://127.0.0.1:${r.port}/metrics`, { signal: AbortSignal.timeout(3000) })
          .then((res) => res.text())
          .catch(() => '');
        replicas[r.id] = {
          rssBytes: metricValue(text, 'process_resident_memory_bytes'),
          heapUsedBytes: metricValue(text, 'nodejs_heap_size_used_bytes'),
          sseStreams: metricValue(text, 'tickets_sse_subscribers'),
        };
      }),
    );
    const pgConnections = pool
      ? await pool
          .query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()',
          )
          .then((r) => r.rows[0]?.n ?? null)
          .catch(() => null)
      : null;
    let redisUsedMemoryBytes: number | null = null;
    for (const r of redis) {
      const info = await r.info('memory').catch(() => '');
      const used = /used_memory:(\d+)/.exec(info)?.[1];
      if (used) redisUsedMemoryBytes = (redisUsedMemoryBytes ?? 0) + Number(used);
    }
    const mem = process.memoryUsage();
    samples.push({
      t: Math.round((Date.now() - loadStartedAtMs) / 100) / 10,
      replicas,
      pgConnections,
      redisUsedMemoryBytes,
      sseStreams: Object.values(replicas).reduce((n, r) => n + (r.sseStreams ?? 0), 0),
      generatorsRssBytes: generatorsRss(),
      harnessRssBytes: mem.rss,
      harnessHeapUsedBytes: mem.heapUsed,
    });
    const last = samples.at(-1);
    if (last)
      console.log(
        `  soak sample t=${last.t}s: replicas RSS ${Object.entries(last.replicas)
          .map(([id, r]) => `${id} ${mb(r.rssBytes)}`)
          .join(
            ', ',
          )}; generators ${mb(last.generatorsRssBytes)}; pg ${last.pgConnections}; redis ${mb(last.redisUsedMemoryBytes)}; streams ${last.sseStreams}`,
      );
  };
  let timer: NodeJS.Timeout | undefined;

  return {
    counts,
    samples,
    start: async () => {
      await Promise.all(redis.map((r) => r.connect().catch(() => undefined)));
      loadStartedAtMs = Date.now();
      loops.push(readMaps(), holdAndRelease());
      const subscribers = Math.min(o.subscribers ?? 5, 50);
      counts.subscribers = subscribers;
      for (let i = 0; i < subscribers; i++) loops.push(subscribe(events[i % events.length]?.id as string));
      await sample();
      timer = setInterval(() => void sample(), SAMPLE_SECONDS * 1000);
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await sample();
      running = false;
      for (const close of openStreams) close();
      await Promise.all(loops);
      await pool?.end();
      for (const r of redis) r.disconnect();
    },
  };
}

const mb = (b: number | null) => (b === null ? '-' : `${Math.round(b / 2 ** 20)} MB`);

/** Throughput and p50/p99 per 10 s window, from the history streamed (one histogram per window). */
async function windowsOf(files: string[], startedAtMs: number): Promise<SoakWindow[]> {
  const windows: { answers: number; ok: number; latency: LatencyHistogram }[] = [];
  for await (const l of streamHistory(files)) {
    if (l.type !== 'complete') continue;
    const i = Math.max(0, Math.floor((l.at - startedAtMs) / 1000 / SAMPLE_SECONDS));
    while (windows.length <= i) windows.push({ answers: 0, ok: 0, latency: new LatencyHistogram() });
    const w = windows[i] as (typeof windows)[number];
    w.answers++;
    if (l.outcome === 'ok') w.ok++;
    if (l.latencyMs !== undefined) w.latency.record(l.latencyMs);
  }
  const r = (n: number) => Math.round(n * 100) / 100;
  return windows.map((w, i) => ({
    t: (i + 1) * SAMPLE_SECONDS,
    answersPerSecond: r(w.answers / SAMPLE_SECONDS),
    purchasesPerSecond: r(w.ok / SAMPLE_SECONDS),
    p50Ms: r(w.latency.percentile(50)),
    p99Ms: r(w.latency.percentile(99)),
  }));
}

/**
 * A sample of buyers' own purchase histories against the orders they were acknowledged
 * on the soak's events: every acknowledged order listed, nothing listed that was not.
 */
async function compareOrderHistories(
  client: Api,
  files: string[],
  buyers: PreparedBuyer[],
  eventIds: Set<string>,
  sampleSize: number,
): Promise<SoakSummary['orderHistories']> {
  const sample = buyers.slice(0, sampleSize);
  const acknowledged = new Map(sample.map((b) => [b.id, new Set<string>()]));
  for await (const l of streamHistory(files)) {
    if (l.type === 'invoke' || l.outcome !== 'ok' || !l.orderId) continue;
    acknowledged.get(l.userId)?.add(l.orderId);
  }
  const result = { buyers: sample.length, compared: 0, missing: 0, unexpected: 0, notes: [] as string[] };
  for (const b of sample) {
    const res = await client.call('GET', '/api/v1/orders', undefined, { authorization: `Bearer ${b.token}` });
    if (res.status !== 200) {
      result.notes.push(`buyer ${b.id}: GET /orders answered ${res.status}`);
      result.missing++;
      continue;
    }
    const items = (res.json?.items ?? []) as { id: string; eventId: string }[];
    const mine = acknowledged.get(b.id) ?? new Set<string>();
    if (items.length >= ORDERS_LISTED) {
      result.notes.push(`buyer ${b.id}: ${items.length} orders listed, the API's limit; not compared`);
      continue;
    }
    result.compared++;
    const listed = new Set(items.filter((i) => eventIds.has(i.eventId)).map((i) => i.id));
    for (const id of mine) {
      if (!listed.has(id)) {
        result.missing++;
        if (result.notes.length < 20) result.notes.push(`buyer ${b.id}: acknowledged order ${id} not listed`);
      }
    }
    for (const id of listed) {
      if (!mine.has(id)) {
        result.unexpected++;
        if (result.notes.length < 20)
          result.notes.push(`buyer ${b.id}: order ${id} listed but never acknowledged`);
      }
    }
  }
  return result;
}

export async function soak(o: Options, target: Target, client: Api): Promise<Report> {
  const purchases = o.purchases ?? 100_000;
  const durationSeconds = o.durationGiven ? o.durationSeconds : 3600;
  // Random events sell out unevenly: 10 % more seats and attempts than purchases wanted.
  const events = Math.max(1, Math.ceil((purchases * 1.1) / SEATS_PER_EVENT));
  // ≤ 100 tickets per buyer and event (one buyer per 50 seats, as prepare() does) and
  // ≤ 400 orders per buyer in all, so that GET /api/v1/orders (newest 500) lists them all.
  const buyerCount = Math.max(o.buyers, Math.ceil(SEATS_PER_EVENT / 50), Math.ceil((purchases * 1.1) / 400));
  const sections = [{ name: 'Soak', rows: SEATS_PER_EVENT / 40, seatsPerRow: 40, priceCents: 5000 }];
  const prepared = await prepare({ ...o, buyers: buyerCount }, target, client, events, sections);
  const bg = background(o, target, client, prepared.events, prepared.buyers);
  let soakSummary: SoakSummary | undefined;
  return runPurchaseScenario({
    scenario: 'soak',
    target,
    client,
    events: prepared.events,
    buyers: prepared.buyers,
    warmup: prepared.warmup,
    mix: { quantityShare: 1, maxSeats: 1, declineShare: 0 },
    connections: o.connections,
    generators: o.generators,
    amount: Math.ceil(purchases * 1.1),
    durationSeconds,
    capSeconds: durationSeconds,
    // --rate: purchase attempts per second over all generators, for a steady sale (default: as fast as it goes).
    rate: o.rate,
    measure: 'purchases',
    reference: null,
    systemLimit: 'the replicas and PostgreSQL on the shared cores, over a long run',
    hooks: {
      beforeLoad: () => bg.start(),
      afterLoad: () => bg.stop(),
      afterCheck: async ({ files, startedAtMs }) => {
        const windows = await windowsOf(files, startedAtMs);
        const orderHistories = await compareOrderHistories(
          client,
          files,
          prepared.buyers,
          new Set(prepared.events.map((e) => e.id)),
          Math.min(20, prepared.buyers.length),
        );
        soakSummary = {
          sampleSeconds: SAMPLE_SECONDS,
          samples: bg.samples,
          windows,
          background: bg.counts,
          memory: memoryOf(bg.samples),
          orderHistories,
        };
        const failures: string[] = [];
        if (orderHistories.missing + orderHistories.unexpected > 0)
          failures.push(
            `purchase histories: ${orderHistories.missing} acknowledged order(s) missing, ${orderHistories.unexpected} unexpected, over ${orderHistories.compared} buyers`,
          );
        const confirmed = windows.reduce((n, w) => n + w.purchasesPerSecond * SAMPLE_SECONDS, 0);
        if (Math.round(confirmed) < purchases)
          failures.push(
            `${Math.round(confirmed)} purchases confirmed during the load, fewer than ${purchases}`,
          );
        return { failures, details: { purchasesWanted: purchases, events, buyers: buyerCount } };
      },
      decorate: (report) => {
        if (soakSummary) report.soak = soakSummary;
      },
    },
  });
}

function memoryOf(samples: SoakSample[]): SoakSummary['memory'] {
  const afterMinute = samples.find((s) => s.t >= 60) ?? samples[0];
  const last = samples.at(-1);
  // The generators exist only during the load: their figures from the samples taken then.
  const withGenerators = samples.filter((s) => s.generatorsRssBytes > 0);
  const generatorsAfterMinute = withGenerators.find((s) => s.t >= 60) ?? withGenerators[0];
  const rss = (s: SoakSample | undefined) =>
    Object.fromEntries(Object.entries(s?.replicas ?? {}).map(([id, r]) => [id, r.rssBytes]));
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, s.generatorsRssBytes);
  return {
    generatorsPeakRssBytes: peak,
    replicasRssAfterFirstMinute: rss(afterMinute),
    replicasRssAtEnd: rss(last),
    generatorsRssAfterFirstMinute: generatorsAfterMinute?.generatorsRssBytes ?? null,
    generatorsRssAtEnd: withGenerators.at(-1)?.generatorsRssBytes ?? null,
  };
}
