// Ticket-service replicas as detached processes, each on its own free port and
// with its own log file.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { freePort } from '../lib/free-port.ts';
import { pollUntil, processAlive, stopProcess } from '../lib/process.ts';
import { paths, repoRoot, serviceEntry } from './paths.ts';
import type { ReplicaState } from './state.ts';

export interface ReplicaEnv {
  databaseUrl: string;
  redisUrls: string[];
  jwtSecret: string;
  adminEmail: string;
  adminPassword: string;
}

export async function startReplica(id: string, env: ReplicaEnv): Promise<ReplicaState> {
  const port = await freePort();
  mkdirSync(paths.logs(), { recursive: true });
  const log = openSync(paths.replicaLog(id), 'a');
  const child = spawn(process.execPath, [serviceEntry], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      DATABASE_URL: env.databaseUrl,
      REDIS_URLS: env.redisUrls.join(','),
      JWT_SECRET: env.jwtSecret,
      TICKETS_ADMIN_EMAIL: env.adminEmail,
      TICKETS_ADMIN_PASSWORD: env.adminPassword,
      REPLICA_ID: id,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: process.env.LOG_LEVEL || 'info',
    },
  });
  child.unref();
  const replica = { id, port, pid: child.pid as number };
  try {
    await pollUntil(
      async () => {
        if (!processAlive(replica.pid)) throw new Error(`replica ${id} exited; see ${paths.replicaLog(id)}`);
        return (await probe(replica)).ready;
      },
      `replica ${id} to become ready`,
      60_000,
      100,
    );
  } catch (err) {
    await stopProcess(replica.pid, 2_000, 'SIGKILL');
    throw err;
  }
  return replica;
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
