// cluster.json: what scripts and checkers read while the cluster runs
// ({gatewayUrl, databaseUrl, redisUrls, replicas, adminEmail}), plus what the
// cluster command itself needs to find its processes again.
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { processAlive } from '../lib/process.ts';
import { paths } from './paths.ts';

export interface ReplicaState {
  id: string;
  port: number;
  pid: number;
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
  startedAt: string;
}

export function readState(): ClusterState | undefined {
  if (!existsSync(paths.state())) return undefined;
  return JSON.parse(readFileSync(paths.state(), 'utf8')) as ClusterState;
}

export async function writeState(state: ClusterState): Promise<void> {
  await writeFile(paths.state(), `${JSON.stringify(state, null, 2)}\n`);
}

export async function clearState(): Promise<void> {
  await rm(paths.state(), { force: true });
}

/** The recorded cluster, if its gateway is still alive. */
export function runningState(): ClusterState | undefined {
  const state = readState();
  return state && processAlive(state.gatewayPid) ? state : undefined;
}
