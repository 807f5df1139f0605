// What the migration runner (src/db/migrate.ts) refuses: a changed or failed migration,
// and applying one twice when two runners start at once.
import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyMigrations } from '../../src/db/migrate.ts';
import { sha256 } from '../../src/db/migration-files.ts';
import {
  admin,
  freshDatabase,
  migrationNames,
  migrationsDir,
  scratchDirs,
  useScratchDatabases,
} from './support.ts';

useScratchDatabases();

describe('applyMigrations refusals', () => {
  async function copyOfMigrations(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'tickets-migrations-'));
    scratchDirs.push(dir);
    await cp(migrationsDir, dir, { recursive: true });
    return dir;
  }

  test('when an applied migration.sql has changed, then the run is refused and nothing is applied', async () => {
    const url = await freshDatabase();
    const dir = await copyOfMigrations();
    const [first] = await migrationNames();
    await applyMigrations(url, dir);
    await writeFile(join(dir, first as string, 'migration.sql'), '-- edited\n', { flag: 'a' });
    await mkdir(join(dir, '99999999999999_later'));
    await writeFile(join(dir, '99999999999999_later', 'migration.sql'), 'CREATE TABLE later (id INT);');

    await expect(applyMigrations(url, dir)).rejects.toThrow(/modified after it was applied/);
    const later = await admin((c) => c.query("SELECT to_regclass('public.later') AS t"), url);
    expect(later.rows[0].t).toBeNull();
  });

  test('when a recorded migration failed and was not rolled back, then the run is refused', async () => {
    const url = await freshDatabase();
    await applyMigrations(url, migrationsDir);
    await admin(
      (c) =>
        c.query(
          `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs)
           VALUES ($1, $2, '99999999999999_broken', 'boom')`,
          [randomUUID(), sha256('x')],
        ),
      url,
    );

    await expect(applyMigrations(url, migrationsDir)).rejects.toThrow(/99999999999999_broken failed/);
  });

  test('when a migration fails, then its changes are rolled back and it is recorded as rolled back', async () => {
    const url = await freshDatabase();
    const dir = await copyOfMigrations();
    await mkdir(join(dir, '99999999999999_broken'));
    await writeFile(
      join(dir, '99999999999999_broken', 'migration.sql'),
      'CREATE TABLE half (id INT);\nSELECT 1/0;',
    );

    await expect(applyMigrations(url, dir)).rejects.toThrow(
      /99999999999999_broken failed and was rolled back/,
    );
    const half = await admin((c) => c.query("SELECT to_regclass('public.half') AS t"), url);
    expect(half.rows[0].t).toBeNull();
    const row = await admin(
      (c) =>
        c.query(
          "SELECT finished_at, rolled_back_at, logs FROM _prisma_migrations WHERE migration_name LIKE '%broken'",
        ),
      url,
    );
    expect(row.rows).toEqual([
      { finished_at: null, rolled_back_at: expect.any(Date), logs: 'division by zero' },
    ]);
  });

  test('when two runners start at once, then each migration is applied exactly once', async () => {
    const url = await freshDatabase();
    const runs = await Promise.all([
      applyMigrations(url, migrationsDir),
      applyMigrations(url, migrationsDir),
    ]);

    expect(runs.flatMap((r) => r.applied).sort()).toEqual(await migrationNames());
    const rows = await admin((c) => c.query('SELECT count(*)::int AS n FROM _prisma_migrations'), url);
    expect(rows.rows[0].n).toBe((await migrationNames()).length);
  });
});
