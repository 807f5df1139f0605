// Starts service processes (real replicas, the CLI) for tests that need more than
// one instance, and makes sure each one is stopped when the test ends.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tickets/infra/free-port';

const serviceRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function spawnNode(script: string, args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [join(serviceRoot, script), ...args], {
    cwd: serviceRoot,
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export interface Replica extends Spawned {
  id: string;
  url: string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A real replica process on a free port, ready when /readyz answers 200. */
export async function startReplica(id: string, env: Record<string, string>): Promise<Replica> {
  const port = await freePort();
  const spawned = spawnNode('src/server.ts', [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    REPLICA_ID: id,
    LOG_LEVEL: 'warn',
    ...env,
  });
  const url = `http://127.0.0.1:${port}`;
  const replica: Replica = {
    ...spawned,
    id,
    url,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill(signal);
      return spawned.exited;
    },
  };
  try {
    await waitFor(`replica ${id} ready`, async () => {
      if (spawned.child.exitCode !== null) throw new Error(`replica ${id} exited: ${spawned.output()}`);
      const res = await fetch(`${url}/readyz`);
      return res.status === 200;
    });
  } catch (err) {
    await replica.stop('SIGKILL');
    throw err;
  }
  return replica;
}
