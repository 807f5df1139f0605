// Reading /proc: one process's counters from /proc/<pid>/stat, the machine's from
// /proc/stat, every process at once, a command line, and the unit of the counters.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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
