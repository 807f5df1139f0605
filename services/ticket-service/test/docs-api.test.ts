// docs/api.md is the HTTP contract in words; the OpenAPI document the service serves is the
// same contract generated from the route schemas. This keeps them in step: every operation of
// the document has a section in the page (a heading "### `METHOD /path`") and every section
// names an operation that exists, each section names every status code the document gives its
// route, and the page's error table lists exactly the codes the service can answer, each with
// its status.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../src/domain/errors.ts';
import { API_PREFIX, buildAppWithRoutes, HTTP_METHODS } from './support/routes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const page = readFileSync(resolve(here, '../../../docs/api.md'), 'utf8');

interface OpenApi {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
}

/** "### `POST /api/v1/events/:eventId/orders`" → its operation, and the text up to the next heading. */
function routeSections(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  const lines = markdown.split('\n');
  lines.forEach((line, i) => {
    const heading = /^### `([A-Z]+) (\/\S*)`$/.exec(line);
    if (!heading) return;
    const route = `${heading[1]} ${heading[2]}`;
    expect(sections.has(route), `${route} has two sections`).toBe(false);
    const end = lines.findIndex((l, j) => j > i && /^#{1,3} /.test(l));
    sections.set(route, lines.slice(i + 1, end < 0 ? undefined : end).join('\n'));
  });
  return sections;
}

/** Every operation of the document, as "METHOD /path/:param", with its response status codes. */
function operations(doc: OpenApi): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const route = `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`;
      out.set(route, Object.keys(operation.responses ?? {}));
    }
  }
  return out;
}

/** The codes of the ErrorCode union, where the service defines every code it answers. */
function definedCodes(): ErrorCode[] {
  const source = readFileSync(join(here, '../src/domain/errors.ts'), 'utf8');
  const union = /export type ErrorCode =([^;]+);/.exec(source)?.[1] ?? '';
  return [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1] as ErrorCode);
}

/** The rows of the page's error table: | `CODE` | status | meaning |. */
function documentedCodes(markdown: string): Map<string, number> {
  const rows = [...markdown.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)];
  return new Map(rows.map((m) => [m[1] as string, Number(m[2])]));
}

let app: FastifyInstance;
let doc: OpenApi;

beforeAll(async () => {
  ({ app } = await buildAppWithRoutes());
  const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await app?.close();
});

describe('docs/api.md', () => {
  it('when its route headings are read, then they are exactly the operations of the OpenAPI document', () => {
    const documented = [...routeSections(page).keys()].sort();
    const served = [...operations(doc).keys()].sort();
    // The document has the API and the health routes; the page has a heading for each.
    expect(served.length).toBeGreaterThan(30);
    expect(documented).toEqual(served);
  });

  it("when a route's section is read, then it names every status code the OpenAPI document gives that route", () => {
    const sections = routeSections(page);
    const missing = [...operations(doc)].flatMap(([route, statuses]) =>
      statuses
        .filter((status) => !new RegExp(`\\b${status}\\b`).test(sections.get(route) ?? ''))
        .map((status) => `${route}: ${status}`),
    );
    expect(missing).toEqual([]);
  });

  it('when its error table is read, then it lists every code the service defines, with its status, and no other', () => {
    const codes = definedCodes();
    // The scan finds the union (a reformatted errors.ts must not pass by finding nothing).
    expect(codes).toContain('SEAT_UNAVAILABLE');
    expect(codes.length).toBeGreaterThan(20);
    const table = documentedCodes(page);
    expect([...table.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(table.get(code), code).toBe(new AppError(code, '').status);
  });
});
