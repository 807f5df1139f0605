// Bugs, even those PostgreSQL reports, stay a 500.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isUnavailable } from '../../src/lib/unavailable.ts';
import { toProblem } from '../../src/plugins/app/error-handler.ts';
import { APP, db, failure, usePostgresClients } from './support.ts';

usePostgresClients();

describe('bugs are not 503', () => {
  it('a syntax error, a division by zero, a unique violation, a missing record, our own assertion', async () => {
    const email = `${APP}-${randomUUID()}@example.test`;
    await db.user.create({ data: { email, passwordHash: 'x', name: 'x' } });
    const bugs = [
      await failure(() => db.$queryRawUnsafe('SELEC 1')),
      await failure(() => db.$queryRaw`SELECT (1 / 0)::text`),
      await failure(() => db.user.create({ data: { email, passwordHash: 'x', name: 'x' } })),
      await failure(() => db.user.update({ where: { id: randomUUID() }, data: { name: 'y' } })),
      await failure(() => db.$queryRaw`SELECT tickets_assert(false, 'decided seats changed')::text`),
      new TypeError("Cannot read properties of undefined (reading 'id')"),
      new Error('boom'),
    ];
    for (const err of bugs) {
      expect(isUnavailable(err), String((err as Error).message)).toBe(false);
      expect(toProblem(err as Error)).toMatchObject({ status: 500, code: 'INTERNAL' });
    }
  });
});
