// CPU per process over a run, read from /proc: every sample reads utime + stime
// of each process of each group (a group is a set of root pids plus all their
// descendants), and the CPU a group used between two samples, in cores, is the
// growth of those counters over the wall time between the samples. The machine's
// busy time comes from /proc/stat, so what no group accounts for (other tenants,
// the kernel) shows as "other".
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Clock ticks in user mode. */
  utime: number;
  /** Clock ticks in kernel mode. */
  stime: number;
  /** Clock ticks after boot when the process started. */
  starttime: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name is in parentheses and may
 * itself hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  // Fields after the name, starting with field 3 (state) at index 0.
  const rest = text
    .slice(close + 2)
    .trim()
    .split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  const stat = {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    starttime: field(22),
  };
  if (![stat.pid, stat.ppid, stat.utime, stat.stime, stat.starttime].every(Number.isFinite))
    throw new Error(`not a /proc stat line: ${text.slice(0, 80)}`);
  return stat;
}

/** Busy and total ticks of all CPUs, from the first line of /proc/stat. */
export function parseMachineStat(text: string): { busy: number; total: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu ')) ?? '';
  // user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user)
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq;
  return { busy, total: busy + idle + iowait + steal };
}

/** Every process under `procRoot`, by pid (processes that exit while being read are skipped). */
export function scanProcesses(procRoot = '/proc'): Map<number, ProcStat> {
  const all = new Map<number, ProcStat>();
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseProcStat(readFileSync(join(procRoot, entry, 'stat'), 'utf8'));
      all.set(stat.pid, stat);
    } catch {
      // gone between readdir and read
    }
  }
  return all;
}

export function readCmdline(pid: number, procRoot = '/proc'): string {
  try {
    return readFileSync(join(procRoot, String(pid), 'cmdline'), 'utf8')
      .replaceAll('\0', ' ')
      .trim();
  } catch {
    return '';
  }
}

/** A series of the CPU chart: one process or one process tree. */
export interface CpuSource {
  /** Name of the series, e.g. `replica r1`. */
  label: string;
  /** Summary group, e.g. `replicas`. */
  group: string;
  /** Root pids, asked again at every sample (replicas come and go; nginx reloads). */
  roots: (processes: Map<number, ProcStat>) => number[];
  /** Include every descendant of the roots (default true). */
  descendants?: boolean;
}

export interface CpuSample {
  /** Seconds since the sampler started (the middle of the interval this sample covers). */
  t: number;
  /** Cores used by each source over the interval. */
  cores: Record<string, number>;
  /** Cores busy on the whole machine over the interval. */
  machine: number;
}

export interface CpuGroupSummary {
  group: string;
  avgCores: number;
  peakCores: number;
  members: { label: string; avgCores: number; peakCores: number; pids: number }[];
}

export interface CpuProfile {
  cores: number;
  intervalMs: number;
  /** Wall-clock time (ms since the epoch) of the first sample; the chart's zero. */
  startedAtMs: number;
  seconds: number;
  machineAvgCores: number;
  /** Busy time no group accounts for: other processes, the kernel. */
  otherAvgCores: number;
  groups: CpuGroupSummary[];
  sources: { label: string; group: string }[];
  samples: CpuSample[];
  /** How the figures were obtained. */
  method: string;
}

let clockTicks: number | undefined;
/** USER_HZ (ticks per second of /proc's counters): `getconf CLK_TCK`, 100 on every Linux we know. */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Assigns processes to sources: each pid goes to the first source whose tree holds it. */
export function assignProcesses(sources: CpuSource[], processes: Map<number, ProcStat>): Map<number, string> {
  const children = new Map<number, number[]>();
  for (const p of processes.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const owner = new Map<number, string>();
  for (const source of sources) {
    const stack = source.roots(processes).filter((pid) => processes.has(pid));
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      if (owner.has(pid)) continue;
      owner.set(pid, source.label);
      if (source.descendants !== false) stack.push(...(children.get(pid) ?? []));
    }
  }
  return owner;
}

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

/** Averages and peaks per source and per group. */
export function summarizeCpu(input: {
  cores: number;
  intervalMs: number;
  startedAtMs: number;
  sources: { label: string; group: string }[];
  samples: CpuSample[];
  pidsSeen?: Map<string, number>;
}): CpuProfile {
  // Sources that never had a process (e.g. room kept for replicas never started) are left out.
  const sources = input.pidsSeen
    ? input.sources.filter((s) => (input.pidsSeen?.get(s.label) ?? 0) > 0)
    : input.sources;
  const kept = new Set(sources.map((s) => s.label));
  const samples = input.samples.map((s) => ({
    ...s,
    cores: Object.fromEntries(Object.entries(s.cores).filter(([label]) => kept.has(label))),
  }));
  const avg = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);
  const series = (label: string) => samples.map((s) => s.cores[label] ?? 0);
  const groups: CpuGroupSummary[] = [];
  for (const source of sources) {
    let group = groups.find((g) => g.group === source.group);
    if (!group) {
      group = { group: source.group, avgCores: 0, peakCores: 0, members: [] };
      groups.push(group);
    }
    const values = series(source.label);
    group.members.push({
      label: source.label,
      avgCores: round(avg(values)),
      peakCores: round(Math.max(0, ...values)),
      pids: input.pidsSeen?.get(source.label) ?? 0,
    });
  }
  for (const group of groups) {
    const labels = new Set(group.members.map((m) => m.label));
    const totals = samples.map((s) =>
      Object.entries(s.cores).reduce((sum, [label, c]) => (labels.has(label) ? sum + c : sum), 0),
    );
    group.avgCores = round(avg(totals));
    group.peakCores = round(Math.max(0, ...totals));
  }
  const machineAvgCores = round(avg(samples.map((s) => s.machine)));
  const accounted = groups.reduce((sum, g) => sum + g.avgCores, 0);
  return {
    cores: input.cores,
    intervalMs: input.intervalMs,
    startedAtMs: input.startedAtMs,
    seconds: round(samples.length ? (samples.at(-1) as CpuSample).t + input.intervalMs / 2000 : 0),
    machineAvgCores,
    otherAvgCores: round(Math.max(0, machineAvgCores - accounted)),
    groups,
    sources,
    samples,
    method:
      'utime+stime deltas from /proc/<pid>/stat of each process tree, sampled every ' +
      `${input.intervalMs} ms; machine busy time from /proc/stat`,
  };
}

/** One line: each group's average cores, busiest first, e.g. "replicas 1.20, PostgreSQL 0.31 …". */
export function cpuLine(cpu: CpuProfile): string {
  const parts = [...cpu.groups]
    .sort((a, b) => b.avgCores - a.avgCores)
    .map((g) => `${g.group} ${g.avgCores.toFixed(2)}`);
  parts.push(`other ${cpu.otherAvgCores.toFixed(2)}`);
  return `${parts.join(', ')} (machine ${cpu.machineAvgCores.toFixed(2)} of ${cpu.cores} cores busy)`;
}

/** What the CPU figures say limited the run. */
export function cpuVerdict(cpu: CpuProfile): { saturated: boolean; text: string } {
  const other = 'other processes (not part of this run)';
  const ranked = [
    ...cpu.groups.map((g) => ({ name: g.group, cores: g.avgCores })),
    { name: other, cores: cpu.otherAvgCores },
  ].sort((a, b) => b.cores - a.cores);
  const of = `of ${cpu.cores} core${cpu.cores === 1 ? '' : 's'}`;
  const [top, ...others] = ranked;
  const rest = others.filter((g) => g.cores >= 0.05).map((g) => `${g.name} ${g.cores.toFixed(2)}`);
  const detail =
    top && top.cores > 0
      ? `${top.name} at ${top.cores.toFixed(2)} ${of}${rest.length ? `, ${rest.join(', ')}` : ''}`
      : 'no process used measurable CPU';
  // A generator process that used most of a core limits the load it can offer.
  const generators = cpu.groups
    .filter((g) => /generator|subscriber/.test(g.group))
    .flatMap((g) => g.members)
    .filter((m) => m.avgCores >= 0.85);
  if (generators.length > 0)
    return {
      saturated: true,
      text: `the load generator (${generators.map((m) => `${m.label} at ${m.avgCores.toFixed(2)} of a core`).join(', ')}); ${detail}`,
    };
  const saturated = cpu.machineAvgCores >= 0.85 * cpu.cores;
  return {
    saturated,
    text: saturated
      ? `the machine's CPU (${cpu.machineAvgCores.toFixed(2)} ${of} busy): ${detail}`
      : `CPU not saturated (${cpu.machineAvgCores.toFixed(2)} ${of} busy): ${detail}`,
  };
}

const round = (n: number) => Math.round(n * 1000) / 1000;
