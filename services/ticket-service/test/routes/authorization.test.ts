// The authorization matrix as a whole: one row for each /api/v1 route the app registers
// (src/app.ts), each documented with the same access; and the rows of the routes no route
// module registers (the API's own description).
import { describe, expect, it } from 'vitest';
import { API_PREFIX, apiRoutes, documentedRoutes } from '../support/routes.ts';
import { app, routes, useAuthorizationApp } from './support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from './support/authorization/matrix.ts';
import { MATRIX } from './support/authorization/rows/all.ts';
import { DOCS_ROWS, UNDOCUMENTED } from './support/authorization/rows/docs.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(DOCS_ROWS);

  it('when the app registers its routes, then the matrix has exactly one row for each /api/v1 route', () => {
    const real = apiRoutes(routes);
    const rows = MATRIX.map((r) => `${r.method} ${r.route}`).sort();
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows).toEqual(real);
  });

  it('when the OpenAPI document lists the /api/v1 operations, then each has a matrix row and the same access', async () => {
    const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const documented = documentedRoutes(doc);
    const rows = MATRIX.map((r) => `${r.method} ${r.route}`).filter((r) => !UNDOCUMENTED.has(r));
    expect(documented).toEqual(rows.sort());
    for (const row of MATRIX) {
      if (UNDOCUMENTED.has(`${row.method} ${row.route}`)) continue;
      const path = `${API_PREFIX}${row.route.replace(/:(\w+)/g, '{$1}')}`;
      const op = doc.paths[path][row.method.toLowerCase()];
      // A route that needs a token says so in the document, and a public one does not.
      expect(Boolean(op.security?.length), `${row.method} ${row.route}`).toBe(row.access !== 'public');
    }
  });
});
