// Long runs (issue #15): the report's statistics are computed from a history streamed
// line by line into fixed-size state. A synthetic history of 1,000,000 lines (an hour
// of sale) is written to a temp file and summed up; the heap, sampled every 50,000
// lines after a forced GC, must stay far below what holding the lines would take.
// No timed assertion.
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HistoryLine, streamHistory, undecidedStreamed } from '../src/history.ts';
import { summarizeHistory } from '../src/sales-timeline.ts';
import { LatencyHistogram } from '../src/stats.ts';

const LINES = 1_000_000;
const START = 1_800_000_000_000;
const SPAN_MS = 3_600_000;
const UUID = '00000000-0000-4000-8000-000000000000';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let dir: string;
let file: string;

/** Request i: sent, then answered (ok every other time, latency 1–1000 ms), except every 1000th. */
async function writeHistory(path: string): Promise<void> {
  const out = createWriteStream(path);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  const requests = LINES / 2;
  for (let i = 0; i < requests; i++) {
    const at = START + Math.floor((i / requests) * SPAN_MS);
    const key = `${UUID.slice(0, 24)}${String(i).padStart(12, '0')}`;
    const base = { key, userId: UUID, eventId: UUID };
    await write(`${JSON.stringify({ type: 'invoke', ...base, request: { quantity: 1 }, at })}\n`);
    if (i % 1000 === 999) {
      // No answer: indeterminate, and retried after the load.
      await write(
        `${JSON.stringify({ type: 'retry', ...base, outcome: 'ok', seatIds: [key], at: at + 1 })}\n`,
      );
      continue;
    }
    const latencyMs = (i % 1000) + 1;
    const ok = i % 2 === 0;
    await write(
      `${JSON.stringify({
        type: 'complete',
        ...base,
        outcome: ok ? 'ok' : 'fail',
        status: ok ? 201 : 409,
        orderId: ok ? key : undefined,
        seatIds: ok ? [key] : undefined,
        at: at + latencyMs,
        latencyMs,
      })}\n`,
    );
  }
  out.end();
  await once(out, 'finish');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tickets-long-run-'));
  file = join(dir, 'history.jsonl');
  await writeHistory(file);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The lines as they are streamed, with the heap sampled (after a GC) every 50,000 lines. */
async function* sampled(files: string[], peaks: number[]): AsyncGenerator<HistoryLine> {
  let n = 0;
  for await (const l of streamHistory(files)) {
    if (++n % 50_000 === 0) {
      gc();
      peaks.push(process.memoryUsage().heapUsed);
    }
    yield l;
  }
}

describe('a history of 1,000,000 lines', () => {
  it('when it is summed up for the report, then every line counts and the heap stays flat', async () => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const heap: number[] = [];
    const summary = await summarizeHistory([file], START, (files) => sampled(files, heap));

    expect(summary.lines).toBe(LINES);
    const requests = LINES / 2;
    const unanswered = requests / 1000;
    // Every written line is either an answer, an invoke or a retry (the retries are lines too).
    expect(summary.answers).toBe(requests - unanswered);
    expect(summary.okAnswers).toBe(requests / 2);
    expect(summary.sales.confirmed).toBe(requests / 2);
    expect(summary.sales.seatsConfirmed).toBe(requests / 2);
    expect(summary.sales.confirmedByRetry).toBe(unanswered);
    // An hour: 2 s buckets, so the chart has a bounded number of points whatever the lines.
    expect(summary.sales.bucketSeconds).toBe(2);
    expect(summary.sales.t.length).toBeLessThanOrEqual(2000);
    expect(summary.firstSentAt).toBe(START);
    // Latencies are uniform over 1–999 ms: the bucketed percentiles are within 1 % above.
    expect(summary.latency.p50Ms).toBeGreaterThanOrEqual(500);
    expect(summary.latency.p50Ms).toBeLessThanOrEqual(505);
    expect(summary.latency.p99Ms).toBeGreaterThanOrEqual(990);
    expect(summary.latency.p99Ms).toBeLessThanOrEqual(1000);
    expect(summary.latency.maxMs).toBe(999);

    // Two streamed passes, 40 heap samples; holding the lines would take hundreds of MB
    // (each parsed line is an object of ~300 bytes), the summary's state a few hundred kB
    // plus the retried keys. The bound is generous: growth under 48 MB at every sample.
    expect(heap.length).toBe(2 * (LINES / 50_000));
    const growth = Math.max(...heap) - before;
    expect(growth).toBeLessThan(48 * 2 ** 20);
  }, 600_000);

  it('when the undecided requests are looked for, then only the unanswered are held', async () => {
    // The retries are in the same file here, so every unanswered request is decided by its retry.
    const open = await undecidedStreamed([file]);
    expect(open).toEqual([]);
  }, 600_000);
});

describe('LatencyHistogram', () => {
  it('when latencies are recorded, then percentiles are at most 1 % above the exact value', () => {
    const h = new LatencyHistogram();
    const exact: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = 0.5 + ((i * 7919) % 20_000) / 10;
      h.record(v);
      exact.push(v);
    }
    exact.sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9]) {
      const truth = exact[Math.ceil((p / 100) * exact.length) - 1] as number;
      expect(h.percentile(p)).toBeGreaterThanOrEqual(truth);
      expect(h.percentile(p)).toBeLessThanOrEqual(truth * 1.01);
    }
    expect(h.count).toBe(20_000);
  });

  it('when two generators send theirs, then the merge is the histogram of all values', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const all = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) {
      (i % 2 ? a : b).record(i);
      all.record(i);
    }
    const merged = LatencyHistogram.from(JSON.parse(JSON.stringify(a.toJSON()))).merge(b.toJSON());
    expect(merged.count).toBe(1000);
    expect(merged.min).toBe(1);
    expect(merged.max).toBe(1000);
    for (const p of [50, 99]) expect(merged.percentile(p)).toBe(all.percentile(p));
  });
});
