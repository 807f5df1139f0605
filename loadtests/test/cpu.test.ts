// The /proc CPU sampler: parsing real and synthetic stat lines, and the cores
// per process tree computed from a fake /proc with a fake clock.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assignProcesses,
  CpuSampler,
  cpuLine,
  cpuVerdict,
  parseMachineStat,
  parseProcStat,
  scanProcesses,
  summarizeCpu,
} from '../src/cpu.ts';

const statLine = (pid: number, comm: string, ppid: number, utime: number, stime: number, starttime = 10) =>
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  // priority nice threads itrealvalue starttime vsize rss …
  `${pid} (${comm}) S ${ppid} ${pid} ${pid} 0 -1 4194304 100 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 ${starttime} 3133440 411 18446744073709551615 0 0 0\n`;

describe('parseProcStat', () => {
  it('when it reads this process’s real /proc/self/stat, then pid, parent and CPU counters are ours', () => {
    if (process.platform !== 'linux') return;
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(stat.pid).toBe(process.pid);
    expect(stat.ppid).toBe(process.ppid);
    expect(stat.comm.length).toBeGreaterThan(0);
    expect(Number.isInteger(stat.utime) && stat.utime >= 0).toBe(true);
    expect(Number.isInteger(stat.stime) && stat.stime >= 0).toBe(true);
    expect(stat.starttime).toBeGreaterThan(0);
  });

  it('when the command name holds spaces and parentheses, then the fields after it are still found', () => {
    const stat = parseProcStat(statLine(4242, 'postgres: a (b) c)', 17, 1234, 56, 999));
    expect(stat).toEqual({
      pid: 4242,
      comm: 'postgres: a (b) c)',
      state: 'S',
      ppid: 17,
      utime: 1234,
      stime: 56,
      starttime: 999,
    });
  });

  it('when the text is not a stat line, then it throws', () => {
    expect(() => parseProcStat('hello')).toThrow();
  });

  it('when /proc/stat is read, then busy time excludes idle, iowait and steal', () => {
    expect(parseMachineStat('cpu  100 5 20 1000 7 1 2 30 0 0\ncpu0 1 2 3 4\n')).toEqual({
      busy: 128,
      total: 1165,
    });
  });
});

describe('CpuSampler over a fake /proc', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (pid: number, line: string) => {
    mkdirSync(join(root, String(pid)), { recursive: true });
    writeFileSync(join(root, String(pid), 'stat'), line);
  };
  const machine = (busy: number, uptime: number) => {
    writeFileSync(join(root, 'stat'), `cpu  ${busy} 0 0 5000 0 0 0 0 0 0\n`);
    writeFileSync(join(root, 'uptime'), `${uptime} 0\n`);
  };

  it('when a tree’s counters grow by 1.5 s of CPU over 1 s, then it used 1.5 cores; children count, other trees do not', () => {
    root = mkdtempSync(join(tmpdir(), 'fake-proc-'));
    // 100 is a replica with a child 101; 200 is "postgres" with a backend 201; 300 belongs to nobody.
    write(100, statLine(100, 'node', 1, 1000, 100));
    write(101, statLine(101, 'node', 100, 10, 0));
    write(200, statLine(200, 'postgres', 1, 500, 0));
    write(201, statLine(201, 'postgres: backend', 200, 50, 0));
    write(300, statLine(300, 'other', 1, 0, 0));
    machine(10_000, 100);
    let now = 0n;
    const sampler = new CpuSampler({
      procRoot: root,
      cores: 2,
      ticksPerSecond: 100,
      intervalMs: 1_000_000_000,
      clock: () => now,
      sources: [
        { label: 'replica r1', group: 'replicas', roots: () => [100] },
        { label: 'PostgreSQL', group: 'PostgreSQL', roots: () => [200] },
        { label: 'missing', group: 'replicas', roots: () => [999] },
      ],
    }).start();

    // One second later: replica +120 user +20 system, its child +10; postgres +30;
    // backend 201 exited; 202 was born during the interval (starttime after the
    // last uptime of 100 s) with 40 ticks; 300 burnt 90 ticks; the machine +190.
    now = 1_000_000_000n;
    write(100, statLine(100, 'node', 1, 1120, 120));
    write(101, statLine(101, 'node', 100, 20, 0));
    write(200, statLine(200, 'postgres', 1, 530, 0));
    rmSync(join(root, '201'), { recursive: true });
    write(202, statLine(202, 'postgres: backend', 200, 30, 10, 100.5 * 100));
    write(300, statLine(300, 'other', 1, 90, 0));
    machine(10_290, 101);
    sampler.sample();

    now = 2_000_000_000n;
    write(100, statLine(100, 'node', 1, 1170, 120));
    machine(10_340, 102);
    const profile = sampler.stop();

    expect(profile.samples).toHaveLength(2);
    expect(profile.samples[0]).toEqual({
      t: 0.5,
      cores: { 'replica r1': 1.5, PostgreSQL: 0.7 },
      machine: 2.9,
    });
    expect(profile.samples[1]?.cores).toEqual({ 'replica r1': 0.5, PostgreSQL: 0 });
    const replicas = profile.groups.find((g) => g.group === 'replicas');
    expect(replicas).toMatchObject({ avgCores: 1, peakCores: 1.5 });
    // The source that never had a process is left out.
    expect(replicas?.members.map((m) => m.label)).toEqual(['replica r1']);
    expect(replicas?.members[0]?.pids).toBe(2);
    expect(profile.groups.find((g) => g.group === 'PostgreSQL')?.avgCores).toBe(0.35);
    expect(profile.machineAvgCores).toBe(1.7);
    expect(profile.otherAvgCores).toBe(0.35);
    expect(cpuLine(profile)).toBe(
      'replicas 1.00, PostgreSQL 0.35, other 0.35 (machine 1.70 of 2 cores busy)',
    );
    expect(cpuVerdict(profile)).toEqual({
      saturated: true,
      text: "the machine's CPU (1.70 of 2 cores busy): replicas at 1.00 of 2 cores, PostgreSQL 0.35, other processes (not part of this run) 0.35",
    });
  });

  it('when the real /proc is scanned, then this process is found under its parent', () => {
    if (process.platform !== 'linux') return;
    root = mkdtempSync(join(tmpdir(), 'unused-'));
    const all = scanProcesses();
    expect(all.get(process.pid)?.ppid).toBe(process.ppid);
    const owners = assignProcesses(
      [
        { label: 'me', group: 'g', roots: () => [process.pid], descendants: false },
        { label: 'parent', group: 'g', roots: () => [process.ppid] },
      ],
      all,
    );
    expect(owners.get(process.pid)).toBe('me');
    expect(owners.get(process.ppid)).toBe('parent');
  });
});

describe('summarizeCpu and cpuVerdict', () => {
  it('when a generator process used most of a core, then the verdict names the load generator', () => {
    const profile = summarizeCpu({
      cores: 2,
      intervalMs: 500,
      startedAtMs: 0,
      sources: [
        { label: 'replica r1', group: 'replicas' },
        { label: 'generator 1', group: 'load generator' },
      ],
      samples: [{ t: 0.25, cores: { 'replica r1': 0.5, 'generator 1': 0.9 }, machine: 1.5 }],
    });
    expect(cpuVerdict(profile).text).toMatch(/^the load generator \(generator 1 at 0\.90 of a core\)/);
  });

  it('when the machine was mostly idle, then the verdict says the CPU was not the limit', () => {
    const profile = summarizeCpu({
      cores: 2,
      intervalMs: 500,
      startedAtMs: 0,
      sources: [{ label: 'replica r1', group: 'replicas' }],
      samples: [{ t: 0.25, cores: { 'replica r1': 0.4 }, machine: 0.5 }],
    });
    expect(cpuVerdict(profile)).toEqual({
      saturated: false,
      text: 'CPU not saturated (0.50 of 2 cores busy): replicas at 0.40 of 2 cores, other processes (not part of this run) 0.10',
    });
  });
});
