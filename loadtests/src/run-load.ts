// Runs the timed part: N generator processes (autocannon saturates one core, so
// the load is split across processes), started together once all are loaded and
// connected (preconnect.ts), progress once a second, and the
// aggregate: throughput, latency percentiles, outcomes, generator CPU, and (when
// asked) CPU per process of the whole system sampled from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CpuProfile, CpuSampler, type CpuSource } from './cpu.ts';
import type { Plan } from './plan.ts';
import { harnessSource, pidSource } from './processes.ts';
import { LatencyHistogram, type SerializedHistogram } from './stats.ts';

export interface LoadResult {
  requests: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  throughput: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  outcomes: Record<string, number>;
  generatorCpuPercent: number[];
  /** Completed requests per second, for the report's chart. */
  timeline: number[];
  /** Wall-clock time (ms since the epoch) when the generators were started. */
  startedAtMs: number;
  /** CPU per process over the timed part (when sampled; Linux only). */
  cpu?: CpuProfile;
}

export interface RunLoadOptions {
  /** Sample CPU per process: these sources plus the generators and this process. */
  cpu?: CpuSource[];
}

/** What a generator prints on its RESULT line. */
interface GeneratorResult {
  errors: number;
  timeouts: number;
  cpuPercent: number;
  outcomes: Record<string, number>;
  /** Every answer's latency, bucketed (stats.ts: percentiles within 1 %). */
  latency: SerializedHistogram;
}

const generatorEntry = join(import.meta.dirname, 'generator.ts');

export async function runLoad(
  base: Omit<Plan, 'generator' | 'connections' | 'amount' | 'rate'> & {
    connections: number;
    amount?: number;
    /** Requests per second over all generators (none: as fast as they go). */
    rate?: number;
  },
  generators: number,
  label: string,
  options: RunLoadOptions = {},
): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tickets-load-'));
  const pids: (number | undefined)[] = new Array(generators).fill(undefined);
  const sampler =
    options.cpu && CpuSampler.available()
      ? new CpuSampler({
          sources: [
            ...options.cpu,
            ...pids.map((_, g) => pidSource(`generator ${g + 1}`, 'load generator', () => pids[g])),
            harnessSource(),
          ],
        })
      : undefined;
  const counts = new Array<number>(generators).fill(0);
  const timeline: number[] = [];
  let last = 0;
  let ticker: NodeJS.Timeout | undefined;
  // The clock starts when every generator is loaded and connected (generator.ts).
  let started = performance.now();
  let startedAtMs = Date.now();
  const children: ChildProcess[] = [];
  let ready = 0;
  const go = () => {
    sampler?.start();
    started = performance.now();
    startedAtMs = Date.now();
    for (const child of children) child.stdin?.write('GO\n');
    ticker = setInterval(() => {
      const total = counts.reduce((a, b) => a + b, 0);
      timeline.push(total - last);
      last = total;
      const line = `  ${label}: ${total} requests, ${timeline.at(-1)}/s`;
      process.stdout.write(process.stdout.isTTY ? `\r${line}      ` : `${line}\n`);
    }, 1000);
  };
  let cpu: CpuProfile | undefined;
  const results = await Promise.all(
    Array.from({ length: generators }, (_, g) => {
      const plan: Plan = {
        ...base,
        generator: g,
        connections: Math.max(1, Math.floor(base.connections / generators)),
        amount: base.amount ? Math.ceil(base.amount / generators) : undefined,
        rate: base.rate ? Math.max(1, Math.round(base.rate / generators)) : undefined,
        historyFile: base.historyFile ? `${base.historyFile}.${g}` : undefined,
      };
      const file = join(dir, `plan-${g}.json`);
      writeFileSync(file, JSON.stringify(plan));
      return new Promise<GeneratorResult>((resolve, reject) => {
        const child = spawn(process.execPath, [generatorEntry, file], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        children[g] = child;
        // (A generator that ended before GO closed its end: nothing to report here, its exit says it.)
        child.stdin.on('error', () => {});
        pids[g] = child.pid;
        let buffer = '';
        let result: GeneratorResult | undefined;
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk;
          let nl = buffer.indexOf('\n');
          while (nl >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (line === 'READY' && ++ready === generators) go();
            if (line.startsWith('PROGRESS ')) counts[g] = Number(line.slice(9));
            if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
            nl = buffer.indexOf('\n');
          }
        });
        child.on('exit', (code) =>
          result ? resolve(result) : reject(new Error(`generator ${g} exited ${code}`)),
        );
      });
    }),
  ).finally(() => {
    clearInterval(ticker);
    // A generator that failed leaves the others waiting for GO: end them.
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    // (The ticker runs from GO on: without it the sampler never started.)
    cpu = ticker ? sampler?.stop() : undefined;
  });
  if (process.stdout.isTTY) process.stdout.write('\n');
  const wall = (performance.now() - started) / 1000;
  const latencies = new LatencyHistogram();
  for (const r of results) latencies.merge(r.latency);
  const pct = (p: number) => latencies.percentile(p);
  const outcomes: Record<string, number> = {};
  for (const r of results)
    for (const [k, v] of Object.entries(r.outcomes as Record<string, number>))
      outcomes[k] = (outcomes[k] ?? 0) + v;
  const requests = latencies.count;
  return {
    requests,
    errors: results.reduce((a, r) => a + r.errors, 0),
    timeouts: results.reduce((a, r) => a + r.timeouts, 0),
    durationSeconds: wall,
    throughput: requests / wall,
    p50Ms: round(pct(50)),
    p90Ms: round(pct(90)),
    p99Ms: round(pct(99)),
    outcomes,
    generatorCpuPercent: results.map((r) => round(r.cpuPercent)),
    timeline,
    startedAtMs,
    cpu,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
