// The generated OpenAPI document as a whole (src/plugins/external/openapi.ts): valid
// OpenAPI 3.1, the same routes as the running app and as API.md, held to the rules every
// operation must follow; and the docs page that shows it. What it says of each route is
// checked in <route>.openapi.test.ts.
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { API_PREFIX, apiRoutes, documentedRoutes, HTTP_METHODS } from '../support/routes.ts';
import { CONTRACT } from './support/openapi/contract.ts';
import { allApiOperations, app, doc, routes, useOpenApiApp } from './support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  it('when it is fetched, then it is OpenAPI 3.1 JSON with a title and a version', async () => {
    const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(() => JSON.parse(res.body)).not.toThrow();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
  });

  it('when a validator checks it against the OpenAPI 3.1 specification, then it is valid', async () => {
    // validate() dereferences in place, so it gets its own copy.
    const validated = await SwaggerParser.validate(structuredClone(doc) as never);
    expect(validated.info.title).toBe(doc.info.title);
  });

  it('when its /api/v1 operations are listed, then they are exactly the implemented routes of API.md', () => {
    expect(documentedRoutes(doc)).toEqual(Object.keys(CONTRACT).sort());
  });

  it('when compared with the routes the app registered, then every /api/v1 route but the docs is documented', () => {
    const real = apiRoutes(routes).filter((r) => r !== 'GET /openapi.json' && r !== 'GET /docs');
    expect(real).toEqual(documentedRoutes(doc));
    for (const route of real) {
      const [method, path] = route.split(' ') as [string, string];
      expect(app.hasRoute({ method: method as 'GET', url: `${API_PREFIX}${path}` }), route).toBe(true);
    }
  });

  it('when any /api/v1 operation is documented, then it lists the errors its inputs and security can cause', () => {
    // A rule rather than a table, so that a route added later is held to it too.
    for (const [route, op] of allApiOperations()) {
      const statuses = Object.keys(op.responses);
      const needs = (status: number, why: boolean) => {
        if (why) expect(statuses, `${route} should document ${status}`).toContain(String(status));
      };
      const params = op.parameters ?? [];
      needs(400, Boolean(op.requestBody) || params.length > 0);
      needs(413, Boolean(op.requestBody));
      needs(
        404,
        params.some((p) => p.in === 'path'),
      );
      needs(401, Boolean(op.security?.length));
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        `${route} has a 2xx`,
      ).toBe(true);
    }
  });

  // Regression, fixed (packages/contract/src/common.ts, problems()): error responses are documented under
  // application/json, but the service sends them as application/problem+json (API.md, Errors),
  // so the document contradicts the contract.
  it('when an error response is documented, then its media type is application/problem+json', () => {
    for (const [route, op] of allApiOperations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${route} ${status}`).toEqual([
          'application/problem+json',
        ]);
      }
    }
  });
});

describe('the docs page', () => {
  it('when /api/v1/docs is opened, then it answers 200 HTML (after any redirect)', async () => {
    let url = `${API_PREFIX}/docs`;
    let res = await app.inject({ method: 'GET', url });
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
      url = new URL(String(res.headers.location), `http://localhost${url}`).pathname;
      res = await app.inject({ method: 'GET', url });
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
    expect(res.body).toMatch(/swagger/i);
  });

  it('when the docs page loads its document, then it is the same as /api/v1/openapi.json', async () => {
    const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/docs/json` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(doc);
  });

  it('when the docs page asks for its static assets, then they are served', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `${API_PREFIX}/docs/static/swagger-initializer.js`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('SwaggerUIBundle');
  });
});

// A sanity check on the helper the tests above rely on.
describe('documentedRoutes', () => {
  it('when a document has /api/v1 and other paths, then it lists only the /api/v1 operations, as Fastify routes', () => {
    const sample = {
      paths: {
        '/healthz': { get: {} },
        '/api/v1/events/{eventId}': { get: {}, parameters: [] },
        '/api/v1/admin/events/{eventId}': { patch: {}, summary: 'x' },
      },
    };
    expect(documentedRoutes(sample)).toEqual(['GET /events/:eventId', 'PATCH /admin/events/:eventId']);
    expect(HTTP_METHODS).toContain('patch');
  });
});
