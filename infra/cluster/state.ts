// cluster.json: what scripts and checkers read while the cluster runs
// ({gatewayUrl, databaseUrl, redisUrls, replicas, adminEmail}), plus what the
// cluster command itself needs to find its processes again.
import { existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { processAlive } from '../lib/process.ts';
import { paths } from './paths.ts';

export interface ReplicaState {
  id: string;
  port: number;
  pid: number;
  // Written by the supervisor (infra/cluster/supervisor.ts); absent until it restarts the replica.
  /** How many times the supervisor has started this replica again. */
  restarts?: number;
  /** Its last exit that nobody asked for: exit code or signal (both null: not known), and when. */
  lastExit?: ReplicaExit;
  /** When the supervisor last started it again. */
  lastRestartAt?: string;
  /** Set while the supervisor waits out the back-off: when it starts the replica again. */
  nextRestartAt?: string;
}

export interface ReplicaExit {
  code: number | null;
  signal: string | null;
  at: string;
  /** Why the supervisor ended it itself, e.g. "not ready within 60 s". */
  reason?: string;
}

export interface ClusterState {
  gatewayUrl: string;
  databaseUrl: string;
  redisUrls: string[];
  replicas: ReplicaState[];
  adminEmail: string;
  httpsPort: number;
  httpPort: number;
  postgres: { port: number; dataDir: string };
  redis: { port: number; pid: number; dir: string }[];
  gatewayPid: number;
  /** TICKETS_RATE_LIMIT_FACTOR of the replicas and the gateway (absent on clusters started before it existed: 1). */
  rateLimitFactor?: number;
  /** The process that restarts replicas which exit (absent on clusters started before it existed). */
  supervisorPid?: number;
  /** Also the cluster's identity: the supervisor acts only on the state of its own cluster. */
  startedAt: string;
}

/** SIGKILL, code 3, or unknown (a replica that an earlier supervisor started). */
export function describeExit(exit: Pick<ReplicaExit, 'code' | 'signal'>): string {
  if (exit.signal) return exit.signal;
  if (exit.code !== null) return `code ${exit.code}`;
  return 'unknown';
}

export function readState(): ClusterState | undefined {
  if (!existsSync(paths.state())) return undefined;
  return JSON.parse(readFileSync(paths.state(), 'utf8')) as ClusterState;
}

/** Written aside and renamed into place, so that readers never see half a file. */
export async function writeState(state: ClusterState): Promise<void> {
  const next = `${paths.state()}.${process.pid}.tmp`;
  await writeFile(next, `${JSON.stringify(state, null, 2)}\n`);
  await rename(next, paths.state());
}

export async function clearState(): Promise<void> {
  await rm(paths.state(), { force: true });
}

/** The recorded cluster, if its gateway is still alive. */
export function runningState(): ClusterState | undefined {
  const state = readState();
  return state && processAlive(state.gatewayPid) ? state : undefined;
}
