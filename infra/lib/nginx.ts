// The gateway as an ordinary nginx process: render the template into a run
// directory, test it, start it, swap its upstreams with a graceful reload, stop it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages, isRoot } from './debian.ts';
import { gatewayLimits } from './gateway-limits.ts';
import { pollUntil, processAlive } from './process.ts';

const TEMPLATE = resolve(dirname(fileURLToPath(import.meta.url)), '../../gateway/nginx.conf.template');

export interface Upstream {
  host: string;
  port: number;
}

export interface GatewayConfig {
  /** Holds nginx.conf, upstream.conf, logs, temp files and the pid file. */
  runDir: string;
  httpsPort: number;
  httpPort: number;
  certFile: string;
  keyFile: string;
  webRoot: string;
  upstreams: Upstream[];
  /** Listen address; loopback unless told otherwise. */
  host?: string;
  /** How long a seat map is served from the gateway's micro-cache: whole seconds, at least 1 (default 1). */
  seatMapCacheSeconds?: number;
  /** TICKETS_RATE_LIMIT_FACTOR: multiplies every per-address limit (gateway-limits.ts; default 1). */
  rateLimitFactor?: number;
}

export function ensureNginx(): void {
  ensureDebianPackages([{ binary: 'nginx', pkg: 'nginx' }]);
}

export function renderTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`gateway template: no value for {{${name}}}`);
    return value;
  });
}

export function upstreamBlock(upstreams: Upstream[]): string {
  const lines = upstreams.map((u) => `server ${u.host}:${u.port} max_fails=1 fail_timeout=5s;`);
  // An upstream block may not be empty; a closed port answers 502 quickly.
  if (lines.length === 0) lines.push('server 127.0.0.1:9 down;');
  return `# Written by infra/lib/nginx.ts; replaced on every scale and replica restart.\n${lines.join('\n')}\n`;
}

export async function writeGatewayConfig(config: GatewayConfig): Promise<string> {
  const runDir = resolve(config.runDir);
  const host = config.host ?? '127.0.0.1';
  const seatMapCacheSeconds = config.seatMapCacheSeconds ?? 1;
  // nginx takes whole seconds only (it refuses "500ms"). 0 would store nothing yet still
  // queue concurrent readers of one map behind the cache lock.
  if (!Number.isInteger(seatMapCacheSeconds) || seatMapCacheSeconds < 1) {
    throw new Error(`seat map cache: ${seatMapCacheSeconds} is not a whole number of seconds of at least 1`);
  }
  for (const sub of [
    'tmp/body',
    'tmp/proxy',
    'tmp/fastcgi',
    'tmp/uwsgi',
    'tmp/scgi',
    'tmp/seat-maps',
    'tmp/event-images',
  ]) {
    await mkdir(join(runDir, sub), { recursive: true });
    // Workers run as nobody when nginx starts as root, and buffer bodies (and cache seat maps) here.
    if (isRoot()) await chown(join(runDir, sub), nobodyUid(), 0);
  }
  const conf = renderTemplate(readFileSync(TEMPLATE, 'utf8'), {
    runDir,
    mimeTypes: '/etc/nginx/mime.types',
    httpAddress: `${host}:${config.httpPort}`,
    httpsAddress: `${host}:${config.httpsPort}`,
    httpsPort: String(config.httpsPort),
    certFile: resolve(config.certFile),
    keyFile: resolve(config.keyFile),
    webRoot: resolve(config.webRoot),
    seatMapCacheSeconds: String(seatMapCacheSeconds),
    ...Object.fromEntries(
      Object.entries(gatewayLimits(config.rateLimitFactor ?? 1)).map(([name, value]) => [
        name,
        String(value),
      ]),
    ),
  });
  await writeFile(join(runDir, 'nginx.conf'), conf);
  await writeUpstreams(runDir, config.upstreams);
  return join(runDir, 'nginx.conf');
}

export async function writeUpstreams(runDir: string, upstreams: Upstream[]): Promise<void> {
  await writeFile(join(runDir, 'upstream.conf'), upstreamBlock(upstreams));
}

const nginxArgs = (runDir: string) => ['-p', resolve(runDir), '-c', join(resolve(runDir), 'nginx.conf')];

/** `nginx -t`: throws with nginx's own message when the configuration is wrong. */
export function testGatewayConfig(runDir: string): void {
  const result = spawnSync('nginx', ['-t', ...nginxArgs(runDir)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`nginx -t failed:\n${result.stderr}`);
}

export function gatewayPid(runDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(runDir, 'nginx.pid'), 'utf8').trim());
    return pid > 0 && processAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the nginx master (it daemonizes itself) and waits for its pid file. */
export async function startGateway(runDir: string): Promise<number> {
  testGatewayConfig(runDir);
  execFileSync('nginx', nginxArgs(runDir), { stdio: ['ignore', 'ignore', 'pipe'] });
  let pid: number | undefined;
  await pollUntil(() => {
    pid = gatewayPid(runDir);
    return pid !== undefined;
  }, 'nginx to write its pid file');
  return pid as number;
}

/** Worker processes of the master (children in /proc). */
export function workerPids(masterPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === masterPid && processAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * Graceful reload: new workers take the new configuration at once; the old
 * ones finish their in-flight requests and exit. Resolves when every old worker
 * is gone, so that nothing can still be sent to an upstream that was removed.
 */
export async function reloadGateway(runDir: string, timeoutMs = 30_000): Promise<void> {
  testGatewayConfig(runDir);
  const master = gatewayPid(runDir);
  if (!master) throw new Error('nginx is not running');
  const old = workerPids(master);
  process.kill(master, 'SIGHUP');
  await pollUntil(
    () => old.every((pid) => !processAlive(pid)) && workerPids(master).length > 0,
    'old nginx workers to finish their requests',
    timeoutMs,
  );
}

/** Graceful stop (SIGQUIT), then waits for the master to exit. */
export async function stopGateway(runDir: string, timeoutMs = 30_000): Promise<void> {
  const master = gatewayPid(runDir);
  if (!master) return;
  const workers = workerPids(master);
  process.kill(master, 'SIGQUIT');
  try {
    await pollUntil(() => !processAlive(master), 'nginx to stop', timeoutMs);
  } catch {
    process.kill(master, 'SIGKILL');
    for (const pid of workers) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

function nobodyUid(): number {
  const id = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  return id.status === 0 ? Number(id.stdout.trim()) : 65534;
}

export function gatewayFilesExist(runDir: string): boolean {
  return existsSync(join(runDir, 'nginx.conf'));
}
