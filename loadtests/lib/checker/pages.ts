// Reading rows in keyset pages (by a uuid `id`, ascending) so that a check never
// holds a whole table.
import type pg from 'pg';

export type Queryable = Pick<pg.Pool, 'query'>;

const BEFORE_ALL = '00000000-0000-0000-0000-000000000000';

/**
 * The pages of `sql`, which takes the event ids as $1, the id to start after as $2
 * and the page size as $3, and orders its rows by `id`.
 */
export async function* keysetPages<Row extends { id: string }>(
  db: Queryable,
  sql: string,
  eventIds: string[],
  pageSize: number,
): AsyncGenerator<Row[]> {
  let after = BEFORE_ALL;
  for (;;) {
    const page = (await db.query<Row>(sql, [eventIds, after, pageSize])).rows;
    yield page;
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    after = last.id;
  }
}
