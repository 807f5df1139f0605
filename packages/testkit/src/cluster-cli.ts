// Runs the real `npm run …` commands (cluster, loadtest) from tests, and starts a
// whole local cluster on free ports in a temporary run directory.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '@tickets/infra/free-port';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface CommandResult {
  code: number;
  output: string;
}

/** `npm run --silent <script> -- …args`, with output captured and a deadline. */
export function npmRun(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 180_000,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run ${script} ${args.join(' ')} timed out:\n${output}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

export function clusterCommand(
  runDir: string,
  args: string[],
  timeoutMs = 180_000,
  env: Record<string, string> = {},
): Promise<CommandResult> {
  return npmRun(
    'cluster',
    args,
    { TICKETS_RUN_DIR: runDir, TICKETS_PG_FSYNC: 'off', LOG_LEVEL: 'warn', ...env },
    timeoutMs,
  );
}

export interface TestCluster {
  runDir: string;
  /** What `up` printed. */
  output: string;
  /** `down`, then the run directory is removed. */
  stop(): Promise<void>;
}

/**
 * `cluster up --detach` on free ports in a fresh run directory the postgres user can reach;
 * `env` adds to the environment of `up` (e.g. TICKETS_SEATMAP_CACHE_SECONDS).
 */
export async function startTestCluster(
  replicas: number,
  env: Record<string, string> = {},
): Promise<TestCluster> {
  const runDir = mkdtempSync(join(tmpdir(), 'tickets-cluster-'));
  chmodSync(runDir, 0o755);
  const stop = async () => {
    if (existsSync(join(runDir, 'cluster.json'))) await clusterCommand(runDir, ['down']);
    rmSync(runDir, { recursive: true, force: true });
  };
  const [https, http] = await freePorts(2);
  const up = await clusterCommand(
    runDir,
    [
      'up',
      '--detach',
      '--replicas',
      String(replicas),
      '--https-port',
      String(https),
      '--http-port',
      String(http),
    ],
    180_000,
    env,
  );
  if (up.code !== 0) {
    await stop();
    throw new Error(`cluster up failed:\n${up.output}`);
  }
  return { runDir, output: up.output, stop };
}

/**
 * Live processes that a cluster command started for this run directory: every one of
 * them (replicas, supervisor, nginx, Redis, PostgreSQL) inherits TICKETS_RUN_DIR. With
 * `replica`, only the processes of that replica (REPLICA_ID).
 */
export function processesOf(runDir: string, replica?: string): number[] {
  const wanted = [`TICKETS_RUN_DIR=${runDir}`, ...(replica ? [`REPLICA_ID=${replica}`] : [])];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (wanted.every((v) => env.includes(v))) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}
