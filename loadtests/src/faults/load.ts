// The answers of every fault's sale together, in the shape of the other scenarios'
// load result, for the report's overall figures and charts.
import type { HistoryLine } from '../history.ts';
import { answerLabel } from '../purchase-mix.ts';
import type { LoadResult } from '../run-load.ts';

/** The answers of every fault's load together, in the shape of the other scenarios' load result. */
export function loadOf(lines: HistoryLine[], startedAtMs: number): LoadResult {
  const answers = lines.filter((l) => l.type === 'complete');
  const latencies = answers.map((l) => l.latencyMs ?? 0).sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  // Requests without an answer are `errors` (each fault's answers say why: timeout, refused…).
  const outcomes: Record<string, number> = {};
  for (const l of answers) {
    if (l.status === 0) continue;
    const k = answerLabel(l.status ?? 0, l.code);
    outcomes[k] = (outcomes[k] ?? 0) + 1;
  }
  const first = Math.min(...answers.map((l) => l.at));
  const last = Math.max(...answers.map((l) => l.at));
  const seconds = answers.length ? Math.max(1, Math.ceil((last - first) / 1000)) : 1;
  const timeline = new Array<number>(seconds).fill(0);
  for (const l of answers) {
    const i = Math.min(seconds - 1, Math.floor((l.at - first) / 1000));
    timeline[i] = (timeline[i] ?? 0) + 1;
  }
  const errors = answers.filter((l) => l.status === 0).length;
  return {
    requests: answers.length,
    errors,
    timeouts: answers.filter((l) => l.status === 0 && l.code === 'TIMEOUT').length,
    durationSeconds: seconds,
    throughput: answers.length / seconds,
    p50Ms: pct(50),
    p90Ms: pct(90),
    p99Ms: pct(99),
    outcomes,
    generatorCpuPercent: [],
    timeline,
    startedAtMs: answers.length ? first : startedAtMs,
  };
}
