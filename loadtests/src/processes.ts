// Which processes make up the system under test, for the CPU sampler: the local
// cluster's replicas, nginx, PostgreSQL and Redis servers (from cluster.json and
// the pid files in the run directory, each with its children, e.g. nginx workers
// and PostgreSQL backends), and this harness's own processes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CpuSource, type ProcStat, readCmdline } from './cpu.ts';

/** What cluster.json says (infra/cluster/state.ts), as far as the load tests read it. */
export interface ClusterFile {
  gatewayUrl?: string;
  databaseUrl?: string;
  redisUrls?: string[];
  replicas?: { id: string; port: number; pid: number }[];
  redis?: { port: number; pid: number; dir: string }[];
  postgres?: { port: number; dataDir: string };
  gatewayPid?: number;
}

/** cluster.json as it is now; {} while it cannot be read (being rewritten, or gone). */
export function readClusterFile(file: string): ClusterFile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterFile;
  } catch {
    return {};
  }
}

const readPid = (file: string): number | undefined => {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** The pid of a live process with this command name whose command line mentions `needle`. */
function findByCmdline(processes: Map<number, ProcStat>, comm: string, needle: string): number[] {
  const found: number[] = [];
  for (const p of processes.values()) {
    if (p.comm !== comm) continue;
    const parent = processes.get(p.ppid);
    if (parent?.comm === comm) continue; // a child; the tree walk finds it
    if (readCmdline(p.pid).includes(needle)) found.push(p.pid);
  }
  return found;
}

/**
 * Sources for the local cluster in `runDir`. cluster.json is read again at
 * every sample, so replicas added or removed by `cluster scale` are followed.
 */
export function clusterSources(runDir: string, maxReplicas = 6): CpuSource[] {
  let cached: { at: number; state: ClusterFile } | undefined;
  const state = (): ClusterFile => {
    if (cached && Date.now() - cached.at < 1000) return cached.state;
    const parsed = readClusterFile(join(runDir, 'cluster.json'));
    cached = { at: Date.now(), state: parsed };
    return parsed;
  };
  const replicaIds = (state().replicas ?? []).map((r) => r.id);
  // Replica ids are r1, r2, …; scale may add ids not there yet, so room is made for a few.
  for (let n = 1; replicaIds.length < maxReplicas; n++)
    if (!replicaIds.includes(`r${n}`)) replicaIds.push(`r${n}`);
  const sources: CpuSource[] = replicaIds.map((id) => ({
    label: `replica ${id}`,
    group: 'replicas',
    roots: () => (state().replicas ?? []).filter((r) => r.id === id).map((r) => r.pid),
  }));
  sources.push({
    label: 'nginx',
    group: 'nginx',
    roots: (processes) => {
      const gatewayDir = join(runDir, 'gateway');
      const pid = readPid(join(gatewayDir, 'nginx.pid')) ?? state().gatewayPid;
      if (pid && processes.has(pid)) return [pid];
      return findByCmdline(processes, 'nginx', gatewayDir);
    },
  });
  sources.push({
    label: 'PostgreSQL',
    group: 'PostgreSQL',
    roots: (processes) => {
      const dataDir = state().postgres?.dataDir ?? join(runDir, 'postgres');
      const pid = readPid(join(dataDir, 'postmaster.pid'));
      if (pid && processes.has(pid)) return [pid];
      return findByCmdline(processes, 'postgres', dataDir);
    },
  });
  for (let i = 1; i <= 3; i++)
    sources.push({
      label: `Redis ${i}`,
      group: 'Redis',
      roots: (processes) => {
        const server = state().redis?.[i - 1];
        const pid = server?.pid ?? readPid(join(runDir, `redis-${i}`, 'redis.pid'));
        if (pid && processes.has(pid)) return [pid];
        return server ? findByCmdline(processes, 'redis-server', `:${server.port}`) : [];
      },
    });
  return sources;
}

/** This process alone (the harness: progress, the CPU sampler itself, checks). */
export function harnessSource(): CpuSource {
  return {
    label: 'loadtest (main)',
    group: 'load generator',
    roots: () => [process.pid],
    descendants: false,
  };
}

export function pidSource(label: string, group: string, pid: () => number | undefined): CpuSource {
  return {
    label,
    group,
    roots: () => {
      const p = pid();
      return p ? [p] : [];
    },
  };
}

export function hasCluster(runDir: string | undefined): runDir is string {
  return runDir !== undefined && existsSync(join(runDir, 'cluster.json'));
}
