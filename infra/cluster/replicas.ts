// Ticket-service replicas as detached processes, each on its own free port and
// with its own log file. The supervisor (supervisor.ts) is their parent: it
// spawns them on request of `up` and `scale`, so that it sees how each one ends.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { freePort } from '../lib/free-port.ts';
import { pollUntil, processAlive, stopProcess } from '../lib/process.ts';
import { paths, repoRoot, serviceEntry } from './paths.ts';
import type { ReplicaState } from './state.ts';
import { requestSpawn } from './supervisor-client.ts';

export interface ReplicaEnv {
  databaseUrl: string;
  redisUrls: string[];
  jwtSecret: string;
  adminEmail: string;
  adminPassword: string;
  /** TICKETS_RATE_LIMIT_FACTOR, the same as the gateway's (cluster.json keeps it). */
  rateLimitFactor: number;
}

/** Longest a starting replica may take to answer /readyz before it counts as failed. */
export const READY_TIMEOUT_MS = 60_000;

/** Starts a replica on a free port (through the supervisor) and waits until it is ready. */
export async function startReplica(id: string, env: ReplicaEnv): Promise<ReplicaState> {
  const port = await freePort();
  const replica = { id, port, pid: await requestSpawn(id, replicaProcessEnv(id, port, env)) };
  try {
    await waitUntilReady(replica);
  } catch (err) {
    await stopProcess(replica.pid, 2_000, 'SIGKILL');
    throw err;
  }
  return replica;
}

/** The environment of one replica process: the caller's, plus what the cluster gives it. */
export function replicaProcessEnv(
  id: string,
  port: number,
  env: ReplicaEnv,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  return {
    ...base,
    NODE_NO_WARNINGS: '1',
    DATABASE_URL: env.databaseUrl,
    REDIS_URLS: env.redisUrls.join(','),
    JWT_SECRET: env.jwtSecret,
    TICKETS_ADMIN_EMAIL: env.adminEmail,
    TICKETS_ADMIN_PASSWORD: env.adminPassword,
    TICKETS_RATE_LIMIT_FACTOR: String(env.rateLimitFactor),
    // This is the local development cluster: an admin password chosen for a demo
    // (TICKETS_ADMIN_PASSWORD given to `up`) is allowed here, and only here.
    TICKETS_ALLOW_WEAK_SECRETS: '1',
    REPLICA_ID: id,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: base.LOG_LEVEL || 'info',
  };
}

/**
 * V8's heap sizes for a replica. It keeps little (about 70 MB live on a long soak)
 * and makes short-lived garbage fast; left to its defaults on a machine with
 * gigabytes free, V8 grows the young generation to 2 × 64 MB and lets the old one
 * fill to four times what survived its last full collection before the next, so a
 * replica's RSS kept climbing for minutes to ~650 MB (issue #15). An old space
 * capped at 1 GB (still over ten times the live heap) holds the growth factor to
 * about 1.6, and 16 MB semi-spaces keep the young generation at 32 MB: ~400 MB at
 * the end of a 100,000-purchase soak, 6 % above the first minute, for about 0.4 %
 * more of a core spent collecting garbage.
 */
export const REPLICA_NODE_FLAGS = ['--max-old-space-size=1024', '--max-semi-space-size=16'];

/** The process itself, appending to the replica's log; only the supervisor calls this. */
export function spawnReplicaProcess(id: string, env: NodeJS.ProcessEnv): ChildProcess {
  mkdirSync(paths.logs(), { recursive: true });
  const log = openSync(paths.replicaLog(id), 'a');
  try {
    return spawn(process.execPath, [...REPLICA_NODE_FLAGS, serviceEntry], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', log, log],
      env,
    });
  } finally {
    closeSync(log);
  }
}

/** Resolves once the replica answers /readyz; throws if it exits first or takes too long. */
export async function waitUntilReady(replica: ReplicaState, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  await pollUntil(
    async () => {
      if (!processAlive(replica.pid))
        throw new Error(`replica ${replica.id} exited; see ${paths.replicaLog(replica.id)}`);
      return (await probe(replica)).ready;
    },
    `replica ${replica.id} to become ready`,
    timeoutMs,
    100,
  );
}

/** SIGTERM: the replica stops accepting, finishes in-flight requests, exits. */
export async function stopReplica(replica: ReplicaState): Promise<void> {
  await stopProcess(replica.pid, 20_000);
}

export interface ReplicaProbe {
  ready: boolean;
  inFlight?: number;
  served?: number;
}

export async function probe(replica: { port: number }): Promise<ReplicaProbe> {
  const base = `http://127.0.0.1:${replica.port}`;
  try {
    const ready = (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) })).status === 200;
    const metrics = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    return { ready, ...countRequests(metrics) };
  } catch {
    return { ready: false };
  }
}

export function countRequests(metrics: string): { inFlight: number; served: number } {
  let inFlight = 0;
  let served = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith('http_requests_in_flight ')) inFlight = Number(line.split(' ')[1]);
    if (line.startsWith('http_request_duration_seconds_count{')) served += Number(line.split(' ').at(-1));
  }
  return { inFlight, served };
}

export function nextReplicaIds(existing: ReplicaState[], count: number): string[] {
  const used = existing.map((r) => Number(r.id.replace(/^r/, ''))).filter(Number.isFinite);
  const start = (used.length ? Math.max(...used) : 0) + 1;
  return Array.from({ length: count }, (_, i) => `r${start + i}`);
}
