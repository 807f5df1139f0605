import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { ensureDebianPackages } from './debian.ts';
import { pollUntil, processAlive, waitForExitSync } from './process.ts';

export interface RedisOptions {
  /** Holds redis.conf, the pid file, the log and (with appendOnly) the data. */
  dir: string;
  port: number;
  appendOnly?: boolean;
  /** Outlives this process (the local cluster); stop it later by pid. */
  detached?: boolean;
}

export interface RedisHandle {
  url: string;
  port: number;
  pid: number;
  dir: string;
  logFile: string;
  /** SIGTERM (a clean shutdown), resolving once the server has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** The same, blocking; for signal and exit handlers where the event loop will not run again. */
  stopSync(): void;
}

const STOP_GRACE_MS = 15_000;

export async function startRedis(options: RedisOptions): Promise<RedisHandle> {
  ensureDebianPackages([{ binary: 'redis-server', pkg: 'redis-server' }]);
  const dir = resolve(options.dir);
  const logFile = join(dir, 'redis.log');
  await mkdir(dir, { recursive: true });
  const configFile = join(dir, 'redis.conf');
  await writeFile(configFile, config(options, dir, logFile));

  const child = spawn('redis-server', [configFile], {
    cwd: dir,
    stdio: ['ignore', 'ignore', options.detached ? 'ignore' : 'pipe'],
    detached: options.detached ?? false,
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let exit: string | undefined;
  const exited = new Promise<void>((done) => {
    child.once('error', (error) => {
      exit = error.message;
      done();
    });
    child.once('exit', (code, signal) => {
      exit = `exit code ${code}, signal ${signal}`;
      done();
    });
  });

  const stop = async () => {
    if (exit === undefined) {
      child.kill('SIGTERM');
      const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(escalate);
    }
  };

  try {
    await pollUntil(
      async () => {
        if (exit !== undefined) throw new Error(`redis-server stopped (${exit}): ${stderr.trim()}`);
        // Another server already on the port would answer too; only ours has our child's pid.
        const info = await redisCommand(options.port, ['INFO', 'server']).catch(() => null);
        if (!info?.includes(`\nprocess_id:${child.pid}\r\n`)) return false;
        return (await redisCommand(options.port, ['PING']).catch(() => null)) === 'PONG';
      },
      `Redis on port ${options.port} to answer PING`,
      20_000,
    );
  } catch (error) {
    await stop();
    throw new Error(
      `Redis did not start on port ${options.port}: ${(error as Error).message}\n${logTail(logFile)}`,
    );
  }

  const pid = child.pid as number;
  if (options.detached) child.unref();
  const stopSync = () => {
    if (exit !== undefined || !processAlive(pid)) return;
    process.kill(pid, 'SIGTERM');
    if (!waitForExitSync(pid, STOP_GRACE_MS)) process.kill(pid, 'SIGKILL');
  };
  return { url: `redis://127.0.0.1:${options.port}`, port: options.port, pid, dir, logFile, stop, stopSync };
}

function config({ port, appendOnly = false }: RedisOptions, dir: string, logFile: string): string {
  return [
    '# Written by infra/lib/redis.ts on every start; edits are overwritten.',
    'bind 127.0.0.1',
    'protected-mode yes',
    `port ${port}`,
    `dir ${quote(dir)}`,
    `pidfile ${quote(join(dir, 'redis.pid'))}`,
    `logfile ${quote(logFile)}`,
    'daemonize no',
    `appendonly ${appendOnly ? 'yes' : 'no'}`,
    'save ""',
    '',
  ].join('\n');
}

function quote(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * Sends one command over a fresh connection and returns the reply as text: a simple string,
 * integer or bulk string (null for a nil bulk). An error reply rejects. No arrays: enough for
 * readiness probes and tests without a client library.
 */
export function redisCommand(port: number, args: string[], timeoutMs = 2_000): Promise<string | null> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | undefined, reply?: string | null) => {
      socket.destroy();
      if (error) fail(error);
      else done(reply ?? null);
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`Redis on port ${port} did not answer in ${timeoutMs} ms`)),
    );
    socket.once('error', (error) => finish(error));
    // A server that closes without a reply (SHUTDOWN does) would leave this pending.
    socket.once('close', () =>
      finish(new Error(`Redis on port ${port} closed the connection without a reply`)),
    );
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      const reply = parseReply(buffer);
      if (reply instanceof Error) finish(reply);
      else if (reply !== undefined) finish(undefined, reply);
    });
    const parts = args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
    socket.write(`*${args.length}\r\n${parts.join('')}`);
  });
}

/** undefined while the reply is incomplete. */
function parseReply(buffer: Buffer): string | null | Error | undefined {
  const lineEnd = buffer.indexOf('\r\n');
  if (lineEnd < 0) return undefined;
  const line = buffer.subarray(1, lineEnd).toString('utf8');
  switch (String.fromCharCode(buffer[0] ?? 0)) {
    case '+':
    case ':':
      return line;
    case '-':
      return new Error(line);
    case '$': {
      const length = Number(line);
      if (length < 0) return null;
      const start = lineEnd + 2;
      if (buffer.length < start + length + 2) return undefined;
      return buffer.subarray(start, start + length).toString('utf8');
    }
    default:
      return new Error(`Unsupported Redis reply: ${line}`);
  }
}

function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no redis log)';
  }
}
