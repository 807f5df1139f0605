// What the samples add up to: averages and peaks per source and per group, the
// one-line summary, and what the figures say limited the run.

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

export const round = (n: number) => Math.round(n * 1000) / 1000;
