// Builds the real service like buildTestApp, but records every route it registers
// (an onRoute hook must be added before the routes are), so tests can compare the
// routes that really exist with the OpenAPI document and their own tables.
import { createHmac } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import app from '../../src/app.ts';
import { serverOptions } from '../../src/server-options.ts';
import { testConfig } from './app.ts';

export interface RegisteredRoute {
  method: string;
  /** With the prefix, in Fastify's syntax: /api/v1/events/:eventId */
  url: string;
  hidden: boolean;
}

export const API_PREFIX = '/api/v1';
export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export async function buildAppWithRoutes(): Promise<{ app: FastifyInstance; routes: RegisteredRoute[] }> {
  const config = testConfig();
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
