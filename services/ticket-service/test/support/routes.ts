// Builds the real service like buildTestApp, but records every route it registers
// (an onRoute hook must be added before the routes are), so tests can compare the
// routes that really exist with the OpenAPI document and their own tables.
import { createHmac } from 'node:crypto';
import { testConfig } from '@tickets/testkit/app';
import Fastify, { type FastifyInstance } from 'fastify';
import app from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import { serverOptions } from '../../src/server-options.ts';

export interface RegisteredRoute {
  method: string;
  /** With the prefix, in Fastify's syntax: /api/v1/events/:eventId */
  url: string;
  hidden: boolean;
}

export const API_PREFIX = '/api/v1';
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export async function buildAppWithRoutes(
  overrides: Partial<Config> = {},
): Promise<{ app: FastifyInstance; routes: RegisteredRoute[] }> {
  const config = testConfig(overrides);
  const server = Fastify(serverOptions(config));
  const routes: RegisteredRoute[] = [];
  server.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const schema = route.schema as { hide?: boolean } | undefined;
    for (const method of methods) routes.push({ method, url: route.url, hidden: schema?.hide === true });
  });
  await server.register(app, { config });
  await server.ready();
  return { app: server, routes };
}

/**
 * The API routes a client can call: under /api/v1, without the HEAD twins Fastify
 * adds to GET routes and without the docs page's own static files.
 */
export function apiRoutes(routes: RegisteredRoute[]): string[] {
  return [
    ...new Set(
      routes
        .filter((r) => r.url.startsWith(`${API_PREFIX}/`) && r.method !== 'HEAD')
        .filter((r) => !r.url.startsWith(`${API_PREFIX}/docs/`))
        .map((r) => `${r.method} ${r.url.slice(API_PREFIX.length)}`),
    ),
  ].sort();
}

interface OpenApiDoc {
  paths: Record<string, Record<string, unknown>>;
}

/** The operations of an OpenAPI document under /api/v1, as "METHOD /path/:param". */
export function documentedRoutes(doc: OpenApiDoc): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith(`${API_PREFIX}/`)) continue;
    for (const method of HTTP_METHODS) {
      if (!(method in item)) continue;
      const url = path.slice(API_PREFIX.length).replace(/\{([^}]+)\}/g, ':$1');
      out.push(`${method.toUpperCase()} ${url}`);
    }
  }
  return out.sort();
}

/** An HS256 JWT signed with any secret, built by hand (for tokens the service must refuse). */
export function hs256(
  payload: Record<string, unknown>,
  secret: string,
  header: Record<string, unknown> = {},
) {
  const enc = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = enc({ alg: 'HS256', typ: 'JWT', ...header });
  const body = enc(payload);
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** What a streaming request answered: its status and headers, and the start of its body. */
export interface StreamAnswer {
  status: number;
  headers: Headers;
  /** For text/event-stream: the first complete message (up to its blank line); else the whole body. */
  body: string;
}

/**
 * Requests a Server-Sent Events route from a really listening server (app.inject
 * would wait for a stream that never ends): reads the first message, then aborts.
 * `baseUrl` is what app.listen answered, e.g. http://127.0.0.1:40123.
 */
export async function openStream(
  baseUrl: string,
  path: string,
  opts: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<StreamAnswer> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no complete message within ${opts.timeoutMs ?? 5000} ms`)),
    opts.timeoutMs ?? 5000,
  );
  try {
    const res = await fetch(`${baseUrl}${path}`, { headers: opts.headers, signal: controller.signal });
    if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
      return { status: res.status, headers: res.headers, body: await res.text() };
    }
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!/\r?\n\r?\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    return { status: res.status, headers: res.headers, body: text.split(/\r?\n\r?\n/)[0] ?? '' };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** The app's own address once it really listens (port 0: any free port, loopback only). */
export async function listenLocally(app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}
