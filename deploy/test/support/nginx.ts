// `nginx -t` for the gateway configurations, on this machine's nginx (Debian: 1.22).
//   - gateway/nginx.conf.template (local cluster): its {{placeholders}} filled in.
//   - gateway/container/ (official image >= 1.27.3): the upstream template rendered as
//     the image's entrypoint does (envsubst limited by NGINX_ENVSUBST_FILTER), absolute
//     container paths moved under a temporary prefix, and, because 1.22 predates them,
//     `resolve` on upstream servers (1.27.3) and `http2 on` (1.25.1) down-levelled:
//     the upstream server becomes a literal loopback address and `http2` moves onto
//     `listen`. Tests check the undowngraded text for those features separately.
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureDebianPackages } from '@tickets/infra/debian';
import { gatewayLimits } from '@tickets/infra/gateway-limits';
import { selfSignedPair } from '@tickets/testkit/gateway-tls';
import { fromRoot } from './paths.ts';

export interface NginxResult {
  ok: boolean;
  output: string;
}

const DEBIAN_MIME_TYPES = '/etc/nginx/mime.types';

export function nginxVersion(): string {
  ensureDebianPackages([{ binary: 'nginx', pkg: 'nginx' }]);
  const out = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  return /nginx\/(\S+)/.exec(out.stderr)?.[1] ?? 'unknown';
}

/**
 * Runs `nginx -t` on `conf` (a path inside `prefix`). Its output goes to a file, not a
 * pipe: Node's pipes are sockets, which nginx cannot open as /dev/stderr (the container
 * configuration logs there, as a container's stderr is a pipe or a terminal).
 */
export function nginxTest(prefix: string, conf: string): NginxResult {
  ensureDebianPackages([{ binary: 'nginx', pkg: 'nginx' }]);
  const log = join(prefix, 'nginx-t.log');
  const fd = openSync(log, 'w');
  try {
    const out = spawnSync('nginx', ['-t', '-p', `${prefix}/`, '-c', conf], { stdio: ['ignore', fd, fd] });
    if (out.error) throw out.error;
    return { ok: out.status === 0, output: readFileSync(log, 'utf8') };
  } finally {
    closeSync(fd);
  }
}

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tickets-nginx-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- local cluster template -------------------------------------------------------

export function renderLocalTemplate(dir: string, rateLimitFactor = 1): string {
  const runDir = join(dir, 'run');
  mkdirSync(join(runDir, 'tmp'), { recursive: true });
  mkdirSync(join(dir, 'web'), { recursive: true });
  const tls = selfSignedPair(join(dir, 'tls'));
  if (tls.status !== 0) throw new Error(`certificate: ${tls.stderr}`);
  writeFileSync(join(runDir, 'upstream.conf'), 'server 127.0.0.1:3001;\nserver 127.0.0.1:3002;\n');
  const values: Record<string, string> = {
    runDir,
    mimeTypes: DEBIAN_MIME_TYPES,
    httpAddress: '127.0.0.1:18080',
    httpsAddress: '127.0.0.1:18443',
    httpsPort: '18443',
    certFile: join(dir, 'tls/tls.crt'),
    keyFile: join(dir, 'tls/tls.key'),
    webRoot: join(dir, 'web'),
    seatMapCacheSeconds: '1',
    ...Object.fromEntries(
      Object.entries(gatewayLimits(rateLimitFactor)).map(([name, value]) => [name, String(value)]),
    ),
  };
  const template = readFileSync(fromRoot('gateway/nginx.conf.template'), 'utf8');
  const rendered = template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new Error(
        `gateway/nginx.conf.template has a new placeholder {{${name}}}: give it a value in ${import.meta.url}`,
      );
    }
    return value;
  });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, rendered);
  return conf;
}

// ---- container configuration ----------------------------------------------------

/** What the official image's 20-envsubst-on-templates.sh does to one template. */
export function envsubst(template: string, env: Record<string, string>, filter: string): string {
  const allowed = new RegExp(filter);
  return template.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, plain?: string) => {
    const name = (braced ?? plain) as string;
    return allowed.test(name) && env[name] !== undefined ? (env[name] as string) : whole;
  });
}

/** The 1.22 variant: see the header of this file for exactly what changes. */
export function downlevel(conf: string): string {
  return conf
    .replace(/^(\s*)server\s+\S+?(:\d+)?\s+resolve;/gm, (_, indent: string, port?: string) => {
      return `${indent}server 127.0.0.1${port ?? ''};`;
    })
    .replace(/^\s*http2 on;\n/gm, '')
    .replace(/^(\s*listen\s+\S+\s+ssl);/gm, '$1 http2;');
}

export interface ContainerFiles {
  /** /etc/nginx/nginx.conf as shipped. */
  nginxConf: string;
  /** /etc/nginx/conf.d/upstream.conf as the entrypoint renders it. */
  upstreamConf: string;
  /** /etc/nginx/conf.d/rate-limits.conf as the entrypoint renders it. */
  rateLimitsConf: string;
}

/**
 * The environment after the image's `*.envsh` entrypoint steps, which the entrypoint
 * sources before it renders the templates: each one is run (sourced by sh, as there)
 * and what it exports is read back. Throws with the step's message when it fails.
 */
export function entrypointEnv(env: Record<string, string>): Record<string, string> {
  const steps = readdirSync(fromRoot('gateway/container'))
    .filter((f) => f.endsWith('.envsh'))
    .sort()
    .map((f) => `. ${JSON.stringify(fromRoot('gateway/container', f))}`);
  const out = spawnSync('sh', ['-c', `set -eu; ${steps.join('; ')}; env -0`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  if (out.status !== 0) throw new Error(`entrypoint step failed: ${out.stderr}`);
  const exported = Object.fromEntries(
    out.stdout
      .split('\0')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  return { ...env, ...exported };
}

/** Templates of gateway/container/templates, by their rendered name (upstream.conf, …). */
export function containerTemplates(): Record<string, string> {
  const dir = fromRoot('gateway/container/templates');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.template'))
      .map((f) => [f.replace(/\.template$/, ''), readFileSync(join(dir, f), 'utf8')]),
  );
}

export function renderContainer(env: Record<string, string>, filter: string): ContainerFiles {
  const full = entrypointEnv(env);
  const rendered = Object.fromEntries(
    Object.entries(containerTemplates()).map(([name, text]) => [name, envsubst(text, full, filter)]),
  );
  return {
    nginxConf: readFileSync(fromRoot('gateway/container/nginx.conf'), 'utf8'),
    upstreamConf: rendered['upstream.conf'] as string,
    rateLimitsConf: rendered['rate-limits.conf'] as string,
  };
}

/** Lays the container's files out under `dir` (container paths moved there), down-levelled. */
export function layOutContainer(dir: string, files: ContainerFiles): string {
  const move = (text: string) =>
    text.replace(/(?<=\s)\/(etc\/nginx|usr\/share\/nginx\/html|tmp)(?=\/|;)/g, `${dir}/$1`);
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('etc/nginx/nginx.conf', downlevel(move(files.nginxConf)));
  write('etc/nginx/conf.d/upstream.conf', downlevel(move(files.upstreamConf)));
  write('etc/nginx/conf.d/rate-limits.conf', files.rateLimitsConf);
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  mkdirSync(join(dir, 'usr/share/nginx/html'), { recursive: true });
  copyFileSync(DEBIAN_MIME_TYPES, join(dir, 'etc/nginx/mime.types'));
  const tls = selfSignedPair(join(dir, 'etc/nginx/tls'));
  if (tls.status !== 0) throw new Error(`certificate: ${tls.stderr}`);
  return join(dir, 'etc/nginx/nginx.conf');
}

/** Directive lines with comments and surrounding blanks removed. */
export function directives(conf: string): string[] {
  return conf
    .split('\n')
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
}
