// The soak's samples, every 10 s: each replica's RSS, heap and open seat streams from
// its /metrics, the PostgreSQL connections (pg_stat_activity), Redis memory (INFO
// memory), and the memory of the load generators (/proc) and of this harness.
import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { readClusterFile } from '../processes.ts';
import type { Target } from '../target.ts';
import type { SoakSample } from './summary.ts';

export const SAMPLE_SECONDS = 10;

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

const mb = (b: number | null) => (b === null ? '-' : `${Math.round(b / 2 ** 20)} MB`);

/** Samples on the clock of the load: `open` connects and starts it, `close` lets go. */
export function soakSampler(target: Target) {
  const samples: SoakSample[] = [];
  let loadStartedAtMs = Date.now();
  const pool = target.databaseUrl ? new pg.Pool({ connectionString: target.databaseUrl, max: 1 }) : undefined;
  const redis = (target.redisUrls ?? []).map(
    (url) => new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false }),
  );
  const take = async () => {
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
  return {
    samples,
    take,
    open: async () => {
      await Promise.all(redis.map((r) => r.connect().catch(() => undefined)));
      loadStartedAtMs = Date.now();
    },
    close: async () => {
      await pool?.end();
      for (const r of redis) r.disconnect();
    },
  };
}
