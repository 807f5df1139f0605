// The cluster commands' side of the supervisor (supervisor.ts): start it, find
// it, ask it to spawn a replica, stop it. They talk over a unix socket in the run
// directory that only its owner may use (it takes a whole environment).
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { pollUntil, processAlive, stopProcess } from '../lib/process.ts';
import { clusterEntry, paths, repoRoot } from './paths.ts';
import { type ClusterState, writeState } from './state.ts';

export type SupervisorRequest = { op: 'ping' } | { op: 'spawn'; id: string; env: NodeJS.ProcessEnv };
export type SupervisorReply = { pid: number } | { error: string };

/** One request, one reply, one line of JSON each. */
export function askSupervisor(request: SupervisorRequest, timeoutMs = 10_000): Promise<SupervisorReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(paths.supervisorSocket());
    let buffer = '';
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`the supervisor did not answer in ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      socket.destroy();
      try {
        resolve(JSON.parse(buffer.slice(0, end)) as SupervisorReply);
      } catch (err) {
        reject(err);
      }
    });
    socket.write(`${JSON.stringify(request)}\n`);
  });
}

/** Spawns a replica process as the supervisor's child; returns its pid. */
export async function requestSpawn(id: string, env: NodeJS.ProcessEnv): Promise<number> {
  const reply = await askSupervisor({ op: 'spawn', id, env }).catch((err: Error) => ({
    error: `the supervisor is not reachable (${err.message}); \`npm run cluster -- up\` starts it again`,
  }));
  if ('error' in reply) throw new Error(`replica ${id} not started: ${reply.error}`);
  return reply.pid;
}

/** The pid of the supervisor answering on this run directory's socket, if one does. */
export async function runningSupervisor(): Promise<number | undefined> {
  const reply = await askSupervisor({ op: 'ping' }, 2_000).catch(() => undefined);
  return reply && 'pid' in reply && isSupervisor(reply.pid) ? reply.pid : undefined;
}

/** True if pid is a supervisor process (not some process that got a recycled pid). */
export function isSupervisor(pid: number | undefined): pid is number {
  if (!pid || !processAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes(clusterEntry) && argv.includes('supervise');
  } catch {
    return false;
  }
}

/**
 * Starts the supervisor of the cluster identified by `clusterId` (its state's startedAt),
 * detached, logging to logs/supervisor.log; resolves with its pid once it answers.
 * Until that state exists it lives only as long as this process (`up` in progress).
 */
export async function startSupervisor(clusterId: string): Promise<number> {
  mkdirSync(paths.logs(), { recursive: true });
  const log = openSync(paths.supervisorLog(), 'a');
  let pid: number;
  try {
    const child = spawn(process.execPath, [clusterEntry, 'supervise', clusterId, String(process.pid)], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    });
    child.unref();
    pid = child.pid as number;
  } finally {
    closeSync(log);
  }
  await pollUntil(
    async () => {
      if (!processAlive(pid)) throw new Error(`the supervisor exited; see ${paths.supervisorLog()}`);
      const reply = await askSupervisor({ op: 'ping' }, 2_000).catch(() => undefined);
      return reply !== undefined && 'pid' in reply && reply.pid === pid;
    },
    'the supervisor to listen',
    15_000,
    50,
  );
  return pid;
}

/** For a running cluster (under the cluster lock): starts a supervisor if it has none. */
export async function ensureSupervisor(state: ClusterState): Promise<number> {
  const pid = await runningSupervisor();
  if (pid !== undefined && pid === state.supervisorPid) return pid;
  if (pid !== undefined) await stopProcess(pid, 10_000); // one of another cluster in this run directory
  const started = await startSupervisor(state.startedAt);
  state.supervisorPid = started;
  await writeState(state);
  console.log(`cluster: started the supervisor (pid ${started})`);
  return started;
}

/** SIGTERM; it stops at once, leaving the replicas running (they are detached). */
export async function stopSupervisor(pid: number | undefined): Promise<void> {
  if (isSupervisor(pid)) await stopProcess(pid, 10_000);
}
