// Which process counts for which series of the CPU chart: a source names root pids,
// and their descendants go with them, asked again at every sample.
import type { ProcStat } from './proc.ts';

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
