// Bad query strings on GET /admin/audit (src/routes/admin/audit.ts): 400 naming the
// parameter, never a 5xx from a value the database cannot represent.
import { bearer } from '@tickets/testkit/app';
import { describe, it } from 'vitest';
import { API, admin, app, useBadInputApp } from '../support/bad-input/app.ts';
import { expectProblem } from '../support/bad-input/problem.ts';
import { expectListsAnswer, itRefusesBadQueries, queryCases } from '../support/bad-input/queries.ts';

useBadInputApp();

describe('bad query strings', () => {
  itRefusesBadQueries(
    queryCases('GET /admin/audit', '/admin/audit', true, [
      ['limit 0', 'limit=0', 'limit'],
      ['limit 501', 'limit=501', 'limit'],
      ['limit 1000', 'limit=1000', 'limit'],
      ['limit "all"', 'limit=all', 'limit'],
      ['an unknown parameter', 'actor=me', 'actor'],
      ['before "yesterday"', 'before=yesterday', 'before'],
      ['an empty before', 'before=', 'before'],
      ['a 41-character before', `before=${'1'.repeat(41)}`, 'before'],
    ]),
  );

  it('when the limits are at their bounds, then the list answers 200', async () => {
    await expectListsAnswer(['/admin/audit?limit=1', '/admin/audit?limit=500']);
  });

  // Regression, fixed (src/domain/audit/list.ts, beforeFilter): `before` values that pass its checks but that
  // Postgres cannot represent reach the query and answer 500 INTERNAL: a 19-digit id above the
  // bigint maximum (9999999999999999999) and a date JavaScript accepts but timestamptz does not
  // (-100000-01-01T00:00:00Z).
  it.each([
    ['an id above the bigint maximum', 'before=9999999999999999999'],
    ['a date before 4713 BC', 'before=-100000-01-01T00:00:00Z'],
  ])('when GET /admin/audit gets %s, then 400, not 500', async (_what, query) => {
    const res = await app.inject({
      method: 'GET',
      url: `${API}/admin/audit?${query}`,
      headers: bearer(admin),
    });
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });
});
