// CPU per process over a run, read from /proc: every sample reads utime + stime
// of each process of each group (a group is a set of root pids plus all their
// descendants), and the CPU a group used between two samples, in cores, is the
// growth of those counters over the wall time between the samples. The machine's
// busy time comes from /proc/stat, so what no group accounts for (other tenants,
// the kernel) shows as "other".
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { assignProcesses, type CpuSource } from './cpu/attribution.ts';
import { type ProcStat, parseMachineStat, scanProcesses, ticksPerSecond } from './cpu/proc.ts';
import { type CpuProfile, type CpuSample, round, summarizeCpu } from './cpu/profile.ts';

// The parts, for callers that want the whole of the CPU profile from one module.
export { assignProcesses, type CpuSource } from './cpu/attribution.ts';
export {
  type ProcStat,
  parseMachineStat,
  parseProcStat,
  readCmdline,
  scanProcesses,
  ticksPerSecond,
} from './cpu/proc.ts';
export {
  type CpuGroupSummary,
  type CpuProfile,
  type CpuSample,
  cpuLine,
  cpuVerdict,
  summarizeCpu,
} from './cpu/profile.ts';

interface Snapshot {
  atNs: bigint;
  /** Seconds since boot, for telling processes born during the interval. */
  uptime: number;
  ticks: Map<number, { owner: string; ticks: number; starttime: number }>;
  machineBusy: number;
}

export interface SamplerOptions {
  sources: CpuSource[];
  intervalMs?: number;
  procRoot?: string;
  cores?: number;
  ticksPerSecond?: number;
  /** Monotonic nanoseconds (tests pass their own). */
  clock?: () => bigint;
}

/** Takes one snapshot now and then every `intervalMs` until stop(). */
export class CpuSampler {
  readonly #sources: CpuSource[];
  readonly #interval: number;
  readonly #procRoot: string;
  readonly #cores: number;
  readonly #hz: number;
  readonly #clock: () => bigint;
  readonly #samples: CpuSample[] = [];
  readonly #pidsSeen = new Map<string, Set<number>>();
  #timer: NodeJS.Timeout | undefined;
  #last: Snapshot | undefined;
  #first: Snapshot | undefined;
  #startedAtMs = 0;

  constructor(options: SamplerOptions) {
    this.#sources = options.sources;
    this.#interval = options.intervalMs ?? 500;
    this.#procRoot = options.procRoot ?? '/proc';
    this.#cores = options.cores ?? availableParallelism();
    this.#hz = options.ticksPerSecond ?? ticksPerSecond();
    this.#clock = options.clock ?? (() => process.hrtime.bigint());
  }

  /** False where there is no /proc (then start() and stop() do nothing). */
  static available(procRoot = '/proc'): boolean {
    return existsSync(join(procRoot, 'stat')) && existsSync(join(procRoot, 'self/stat'));
  }

  start(): this {
    this.#startedAtMs = Date.now();
    this.#first = this.#snapshot();
    this.#last = this.#first;
    this.#timer = setInterval(() => this.sample(), this.#interval);
    this.#timer.unref();
    return this;
  }

  /** Takes a sample now (the timer calls this; tests call it directly). */
  sample(): void {
    const next = this.#snapshot();
    const prev = this.#last;
    this.#last = next;
    if (!prev) return;
    const seconds = Number(next.atNs - prev.atNs) / 1e9;
    if (seconds <= 0) return;
    const used = new Map<string, number>(this.#sources.map((s) => [s.label, 0]));
    for (const [pid, now] of next.ticks) {
      const before = prev.ticks.get(pid);
      let delta: number;
      if (before && before.starttime === now.starttime) delta = now.ticks - before.ticks;
      // Born during this interval: all its CPU is from this interval.
      else if (now.starttime / this.#hz >= prev.uptime) delta = now.ticks;
      // Older, but newly part of a tree (e.g. reparented): counted from now on.
      else continue;
      used.set(now.owner, (used.get(now.owner) ?? 0) + Math.max(0, delta));
    }
    const cores: Record<string, number> = {};
    for (const [label, ticks] of used) cores[label] = round(ticks / this.#hz / seconds);
    const startNs = (this.#first as Snapshot).atNs;
    this.#samples.push({
      t: round(Number((prev.atNs + next.atNs) / 2n - startNs) / 1e9),
      cores,
      machine: round((next.machineBusy - prev.machineBusy) / this.#hz / seconds),
    });
  }

  stop(): CpuProfile {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.sample();
    return summarizeCpu({
      cores: this.#cores,
      intervalMs: this.#interval,
      startedAtMs: this.#startedAtMs,
      sources: this.#sources.map((s) => ({ label: s.label, group: s.group })),
      samples: this.#samples,
      pidsSeen: new Map([...this.#pidsSeen].map(([label, pids]) => [label, pids.size])),
    });
  }

  #snapshot(): Snapshot {
    const processes = scanProcesses(this.#procRoot);
    const owners = assignProcesses(this.#sources, processes);
    const ticks = new Map<number, { owner: string; ticks: number; starttime: number }>();
    for (const [pid, owner] of owners) {
      const p = processes.get(pid) as ProcStat;
      ticks.set(pid, { owner, ticks: p.utime + p.stime, starttime: p.starttime });
      const seen = this.#pidsSeen.get(owner) ?? new Set<number>();
      this.#pidsSeen.set(owner, seen.add(pid));
    }
    const read = (file: string) => {
      try {
        return readFileSync(join(this.#procRoot, file), 'utf8');
      } catch {
        return '';
      }
    };
    return {
      atNs: this.#clock(),
      uptime: Number(read('uptime').split(' ')[0]) || 0,
      ticks,
      machineBusy: parseMachineStat(read('stat')).busy,
    };
  }
}
