// The app each OpenAPI file reads its document from, and what the tests read in it: an
// operation by its route, and whether a real answer matches the schema documented for it.
import { bearer, createAdmin, type TestUser } from '@tickets/testkit/app';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  API_PREFIX,
  buildAppWithRoutes,
  documentedRoutes,
  listenLocally,
  type RegisteredRoute,
} from '../../../support/routes.ts';

export interface Schema {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  format?: string;
  [key: string]: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}
export interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: Record<string, string[]>[];
}
export interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, unknown> };
}

// Set by useOpenApiApp before the file's tests run (one app per test file); importers
// see the current values through the live bindings.
export let app: FastifyInstance;
export let routes: RegisteredRoute[];
export let doc: Doc;
/** Makes the events the answers are read from. */
export let admin: TestUser;
/** Where the app really listens (with `listen`), for the event stream. */
export let baseUrl: string;

export function useOpenApiApp({ listen = false } = {}): void {
  beforeAll(async () => {
    ({ app, routes } = await buildAppWithRoutes());
    const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
    expect(res.statusCode).toBe(200);
    doc = res.json();
    admin = await createAdmin(app);
    if (listen) baseUrl = await listenLocally(app);
  });
  afterAll(async () => {
    await app?.close();
  });
}

/** "GET /events/:eventId" → the document's operation for it. */
export function operation(route: string): Operation | undefined {
  const [method, path] = route.split(' ') as [string, string];
  return doc.paths[`${API_PREFIX}${path.replace(/:(\w+)/g, '{$1}')}`]?.[method.toLowerCase()];
}

export function allApiOperations(): [string, Operation][] {
  return documentedRoutes(doc).map((route) => [route, operation(route) as Operation]);
}

/** A request body's shapes: its alternatives when it is one of several, else itself. */
export function alternatives(schema: Schema | undefined): Schema[] {
  if (!schema) return [];
  return schema.anyOf ?? schema.oneOf ?? [schema];
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);

export function expectMatches(route: string, status: number, body: unknown) {
  const response = (operation(route) as Operation).responses[String(status)];
  const schema = Object.values(response?.content ?? {})[0]?.schema;
  expect(schema, `${route} documents ${status}`).toBeDefined();
  const validate = ajv.compile(schema as object);
  expect(validate(body), `${route} ${status}: ${JSON.stringify(validate.errors)}`).toBe(true);
}

/** app.inject for a purchase route, with an Idempotency-Key unless `key` is null. */
export function call(
  user: TestUser | null,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: unknown,
  key: string | null = null,
) {
  return app.inject({
    method,
    url: `${API_PREFIX}${url}`,
    headers: { ...(user ? bearer(user) : {}), ...(key === null ? {} : { 'idempotency-key': key }) },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}
