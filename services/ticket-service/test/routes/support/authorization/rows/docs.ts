// The API's own description (src/plugins/external/openapi.ts) is public too.
import type { Row } from '../matrix.ts';

export const DOCS_ROWS: Row[] = [
  {
    method: 'GET',
    route: '/openapi.json',
    access: 'public',
    success: 200,
    prepare: async () => ({ url: '/openapi.json' }),
  },
  { method: 'GET', route: '/docs', access: 'public', success: 200, prepare: async () => ({ url: '/docs' }) },
];

/** Routes that are part of the docs page rather than the API (not in the OpenAPI document). */
export const UNDOCUMENTED = new Set(DOCS_ROWS.map((r) => `${r.method} ${r.route}`));
