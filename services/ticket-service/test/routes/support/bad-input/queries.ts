// Bad query strings of the lists: each refused as 400 VALIDATION_FAILED naming the parameter.
import { bearer } from '@tickets/testkit/app';
import { expect, it } from 'vitest';
import { API, admin, app } from './app.ts';
import { expectProblem, namedFields } from './problem.ts';

export interface QueryCase {
  name: string;
  url: string;
  admin: boolean;
  what: string;
  field: string;
}

/** The cases of one list: [what, query string, the field the refusal names]. */
export function queryCases(name: string, path: string, admin: boolean, cases: string[][]): QueryCase[] {
  return cases.map(([what, q, field]) => ({ name, url: `${path}?${q}`, admin, what, field }) as QueryCase);
}

export function itRefusesBadQueries(cases: QueryCase[]): void {
  it.each(cases)(
    'when $name gets $what, then 400 VALIDATION_FAILED naming it',
    async ({ url, admin: needsAdmin, field }) => {
      const res = await app.inject({
        method: 'GET',
        url: `${API}${url}`,
        headers: needsAdmin ? bearer(admin) : {},
      });
      const body = expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(namedFields(body)).toContain(field);
    },
  );
}

/** Asks for each of these lists with an admin's token; each must answer 200. */
export async function expectListsAnswer(urls: string[]): Promise<void> {
  for (const url of urls) {
    const res = await app.inject({ method: 'GET', url: `${API}${url}`, headers: bearer(admin) });
    expect(res.statusCode, url).toBe(200);
  }
}
