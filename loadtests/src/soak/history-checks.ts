// What the soak reads back from its history once the load is over: throughput and
// latency per window, and a sample of buyers' purchase histories against it.
import { streamHistory } from '../history.ts';
import { LatencyHistogram } from '../stats.ts';
import type { Api, PreparedBuyer } from '../target.ts';
import { SAMPLE_SECONDS } from './sampler.ts';
import type { SoakSummary, SoakWindow } from './summary.ts';

/** GET /api/v1/orders answers the newest 500 orders, without paging: a buyer is kept below that. */
const ORDERS_LISTED = 500;

/** Throughput and p50/p99 per 10 s window, from the history streamed (one histogram per window). */
export async function windowsOf(files: string[], startedAtMs: number): Promise<SoakWindow[]> {
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
export async function compareOrderHistories(
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
