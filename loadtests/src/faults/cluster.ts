// What the fault injector needs to know about the local cluster and to do to it:
// its processes from cluster.json, a replica's readiness, environment and
// PostgreSQL sessions, the event lock's value on the Redis masters, and keeping
// processes it stopped from staying stopped.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { processAlive } from '@tickets/infra/process';
import { redisCommand } from '@tickets/infra/redis';
import { type ClusterFile, readClusterFile } from '../processes.ts';

export type Replica = NonNullable<ClusterFile['replicas']>[number];

/** The replicas of cluster.json whose process is alive (a supervisor may have replaced a pid). */
export function liveReplicas(stateFile: string): Replica[] {
  return (readClusterFile(stateFile).replicas ?? []).filter((r) => processAlive(r.pid));
}

export async function replicaReady(port: number, timeoutMs = 1_000): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The environment a process was started with (/proc/<pid>/environ); {} if it cannot be read. */
export function processEnv(pid: number): Record<string, string> {
  try {
    const env: Record<string, string> = {};
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return env;
  } catch {
    return {};
  }
}

/** The lock lease the replicas run with: LOCK_TTL_MS of a live replica, else the service's default. */
export function leaseOf(stateFile: string): { ms: number; source: string } {
  for (const r of liveReplicas(stateFile)) {
    const env = processEnv(r.pid);
    if (env.LOCK_TTL_MS) return { ms: Number(env.LOCK_TTL_MS), source: `LOCK_TTL_MS of replica ${r.id}` };
    if (env.PATH) return { ms: 3_000, source: `the service's default (replica ${r.id} has no LOCK_TTL_MS)` };
  }
  return { ms: 3_000, source: "the service's default (no replica's environment readable)" };
}

/**
 * The local ports of a process's TCP connections to `remotePort` on this machine: a
 * replica's PostgreSQL connections, which pg_stat_activity lists by `client_port`.
 * (The service sets no application_name, so this is how its sessions are told apart.)
 */
export function connectionPorts(pid: number, remotePort: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1] as string);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return [];
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    let text = '';
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const [local, remote, inode] = [f[1], f[2], f[9]];
      if (!local || !remote || !inode || !inodes.has(inode)) continue;
      if (Number.parseInt(remote.split(':')[1] ?? '', 16) !== remotePort) continue;
      ports.push(Number.parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

/**
 * One Redis command (infra/lib/redis.ts), given up after `timeoutMs` whatever happens:
 * that client never settles when the server closes the connection without a reply
 * (as SHUTDOWN does), because it listens for errors and idleness, not for the close.
 */
export function redis(port: number, args: string[], timeoutMs = 2_000): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, fail) => {
    timer = setTimeout(
      () => fail(new Error(`Redis on port ${port}: no answer to ${args[0]} in ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([redisCommand(port, args, timeoutMs), deadline]).finally(() => clearTimeout(timer));
}

export const lockKey = (eventId: string) => `lock:{evt:${eventId}}`;

/**
 * The event's lock key as a majority of the masters that answer within `timeoutMs` hold
 * it: its value (a Redlock holder's token) and the least time it has left; undefined
 * when no majority holds one value.
 */
export async function lockState(
  redisPorts: number[],
  eventId: string,
  timeoutMs = 300,
): Promise<{ value: string; pttl: number } | undefined> {
  const seen = await Promise.all(
    redisPorts.map(async (port) => {
      const value = await redisCommand(port, ['GET', lockKey(eventId)], timeoutMs).catch(() => null);
      const pttl = value
        ? await redisCommand(port, ['PTTL', lockKey(eventId)], timeoutMs).catch(() => null)
        : null;
      return { value, pttl: Number(pttl) };
    }),
  );
  for (const { value } of seen) {
    if (!value) continue;
    const same = seen.filter((s) => s.value === value);
    if (same.length > redisPorts.length / 2) return { value, pttl: Math.min(...same.map((s) => s.pttl)) };
  }
  return undefined;
}

export async function lockValue(redisPorts: number[], eventId: string): Promise<string | undefined> {
  return (await lockState(redisPorts, eventId))?.value;
}

/**
 * Whether a replica holds an event lock right now, by its own counters: locks taken
 * (tickets_lock_acquire_seconds_count) beyond holds finished (tickets_lock_hold_seconds_count).
 * Undefined when it does not say.
 */
export async function holdsALock(port: number): Promise<boolean | undefined> {
  const m = await metricsOf(port);
  const taken = m.get('tickets_lock_acquire_seconds_count');
  const finished = m.get('tickets_lock_hold_seconds_count');
  return taken === undefined || finished === undefined ? undefined : taken > finished;
}

/** Counters of a replica's /metrics, by their full sample name (labels included). */
export async function metricsOf(port: number): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  try {
    const text = await (
      await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) })
    ).text();
    for (const line of text.split('\n')) {
      if (!line.startsWith('tickets_')) continue;
      const at = line.lastIndexOf(' ');
      samples.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
  } catch {
    // not answering: no samples
  }
  return samples;
}

// Processes this run stopped with SIGSTOP are sent SIGCONT however it ends (an error,
// Ctrl-C): a cluster must never be left with a frozen replica or Redis server.
const stopped = new Set<number>();
let guarded = false;
const resumeAll = () => {
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {}
  }
  stopped.clear();
};
export function freeze(pid: number): void {
  if (!guarded) {
    guarded = true;
    process.on('exit', resumeAll);
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => {
        resumeAll();
        process.exit(130);
      });
  }
  stopped.add(pid);
  process.kill(pid, 'SIGSTOP');
}
export function thaw(pid: number): void {
  stopped.delete(pid);
  try {
    process.kill(pid, 'SIGCONT');
  } catch {}
}
