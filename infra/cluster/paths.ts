// Where the local cluster keeps its state: `.run/` at the repository root, or
// TICKETS_RUN_DIR (the tests point it at a temporary directory).
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function runDir(): string {
  return resolve(process.env.TICKETS_RUN_DIR || join(repoRoot, '.run'));
}

export const paths = {
  state: () => join(runDir(), 'cluster.json'),
  secrets: () => join(runDir(), 'secrets.json'),
  lock: () => join(runDir(), 'cluster.lock'),
  postgres: () => join(runDir(), 'postgres'),
  redis: (i: number) => join(runDir(), `redis-${i}`),
  gateway: () => join(runDir(), 'gateway'),
  tls: () => join(runDir(), 'tls'),
  logs: () => join(runDir(), 'logs'),
  replicaLog: (id: string) => join(runDir(), 'logs', `${id}.log`),
  www: () => join(runDir(), 'www'),
  supervisorLog: () => join(runDir(), 'logs', 'supervisor.log'),
  supervisorSocket,
};

/**
 * The supervisor's unix socket: in the run directory, unless that path is too long for
 * a socket address (108 bytes on Linux); then in the temporary directory, named after it.
 */
function supervisorSocket(): string {
  const inRunDir = join(runDir(), 'supervisor.sock');
  if (Buffer.byteLength(inRunDir) < 100) return inRunDir;
  const hash = createHash('sha256').update(runDir()).digest('hex').slice(0, 16);
  return join(tmpdir(), `tickets-supervisor-${hash}.sock`);
}

export const clusterEntry = join(repoRoot, 'infra/cluster/main.ts');
export const serviceEntry = join(repoRoot, 'services/ticket-service/src/server.ts');
export const cliEntry = join(repoRoot, 'services/ticket-service/src/cli.ts');
export const webBuild = join(repoRoot, 'services/web/dist');
export const staticFallback = join(repoRoot, 'gateway/static');
