// The web client end to end: Debian's Chromium, driven by playwright-core, against a
// real local cluster (nginx gateway with TLS, two replicas, PostgreSQL, Redis) on free
// loopback ports, serving a build of the current source; one per test file.
//
// UPDATE_SCREENSHOTS=1 writes the README's screenshots to docs/screenshots/;
// otherwise they go to a temporary directory.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackages } from '@tickets/infra/debian';
import { freePorts } from '@tickets/infra/free-port';
import { clusterCommand } from '@tickets/testkit/cluster-cli';
import { httpsClient } from '@tickets/testkit/https-client';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
export const WAIT_MS = 15_000;
export const GOOD_CARD = '4242 4242 4242 4242';
export const DECLINED_CARD = '4000 0000 0000 0002';
export const PASSWORD = 'a good long password';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '../..');
const repoRoot = join(webDir, '../..');
const updateScreenshots = process.env.UPDATE_SCREENSHOTS === '1';

// Set by useWebClient before the file's tests run; importers see the current values
// through the live bindings.
let runDir = '';
let webOut = '';
export let shotsDir = '';
export let gatewayUrl = '';
export let api: ReturnType<typeof httpsClient> | undefined;
export let browser: Browser | undefined;
export let admin: { email: string; password: string };
export let demoEventId = '';

export interface Json {
  // biome-ignore lint/suspicious/noExplicitAny: test reads of API answers.
  [key: string]: any;
}

export async function call(method: string, path: string, token?: string, body?: unknown) {
  if (!api) throw new Error('no cluster');
  const res = await api.call(method, `/api/v1${path}`, {
    body,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.status, json: (res.body ? JSON.parse(res.body) : undefined) as Json };
}

/** Builds the current source into a temporary directory (not services/web/dist, which others may be copying). */
function buildWeb(outDir: string): void {
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js');
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: webDir,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (result.status !== 0) throw new Error(`web build failed:\n${result.stdout}\n${result.stderr}`);
}

/** Waits for `work`, but not longer than `ms`: cleanup must not hang. */
const bounded = (work: Promise<unknown>, ms: number) =>
  Promise.race([work.catch(() => {}), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/** Builds the web client, starts the cluster with a few seats already sold and held, and Chromium. */
export function useWebClient(): void {
  beforeAll(async () => {
    ensureDebianPackages([{ binary: CHROMIUM, pkg: 'chromium' }]);
    runDir = mkdtempSync(join(tmpdir(), 'tickets-web-e2e-'));
    chmodSync(runDir, 0o755);
    webOut = mkdtempSync(join(tmpdir(), 'tickets-web-build-'));
    shotsDir = updateScreenshots
      ? join(repoRoot, 'docs/screenshots')
      : mkdtempSync(join(tmpdir(), 'tickets-shots-'));
    mkdirSync(shotsDir, { recursive: true });
    buildWeb(webOut);

    const [https, http] = await freePorts(2);
    const started = await clusterCommand(
      runDir,
      ['up', '--detach', '--replicas', '2', '--https-port', String(https), '--http-port', String(http)],
      240_000,
    );
    if (started.code !== 0) throw new Error(`cluster up failed:\n${started.output}`);
    // The gateway serves <runDir>/www (a copy made at `up`); serve this build.
    const www = join(runDir, 'www');
    rmSync(www, { recursive: true, force: true });
    cpSync(webOut, www, { recursive: true });
    chmodSync(www, 0o755);

    const state = JSON.parse(readFileSync(join(runDir, 'cluster.json'), 'utf8')) as { gatewayUrl: string };
    gatewayUrl = state.gatewayUrl;
    api = httpsClient(gatewayUrl, readFileSync(join(runDir, 'tls/gateway.crt'), 'utf8'));
    const secrets = JSON.parse(readFileSync(join(runDir, 'secrets.json'), 'utf8'));
    admin = { email: secrets.adminEmail, password: secrets.adminPassword };
    const events = await call('GET', '/events');
    demoEventId = events.json.items.find((e: Json) => e.title === 'Demo Concert').id;

    // Someone else has already bought and held a few seats, so the map shows every colour.
    const other = await call('POST', '/auth/signup', undefined, {
      email: `early-bird-${randomUUID().slice(0, 8)}@example.test`,
      password: PASSWORD,
      name: 'Early Bird',
    });
    const bought = await api?.call('POST', `/api/v1/events/${demoEventId}/orders`, {
      body: { quantity: 4, payment: { method: 'test', card: '4242424242424242' } },
      headers: { authorization: `Bearer ${other.json.token}`, 'idempotency-key': randomUUID() },
    });
    expect(bought?.status).toBe(201);
    expect(
      (await call('POST', `/events/${demoEventId}/holds`, other.json.token, { quantity: 3 })).status,
    ).toBe(201);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
  }, 600_000);

  afterAll(async () => {
    await bounded(browser?.close() ?? Promise.resolve(), 30_000);
    api?.close();
    // Also after a failed `up`: `down` stops whatever is left in the run directory.
    if (runDir && existsSync(runDir)) await bounded(clusterCommand(runDir, ['down']), 150_000);
    for (const dir of [runDir, webOut, updateScreenshots ? '' : shotsDir]) {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
}
