// Applying the migrations (src/db/migrate.ts) keeps Prisma's _prisma_migrations
// bookkeeping, so that `prisma migrate deploy` agrees with what was applied here.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { applyMigrations } from '../../src/db/migrate.ts';
import { sha256 } from '../../src/db/migration-files.ts';
import { admin, freshDatabase, migrationNames, migrationsDir, useScratchDatabases } from './support.ts';

useScratchDatabases();

describe('applyMigrations', () => {
  let url: string;
  let firstRun: { applied: string[] };
  let secondRun: { applied: string[] };

  beforeAll(async () => {
    url = await freshDatabase();
    firstRun = await applyMigrations(url, migrationsDir);
    secondRun = await applyMigrations(url, migrationsDir);
  });

  test('when applied to an empty database, then every migration is applied in name order', async () => {
    expect(firstRun.applied).toEqual(await migrationNames());
    expect(firstRun.applied.length).toBeGreaterThan(0);
  });

  test('when applied a second time, then nothing is applied and no row is added', async () => {
    expect(secondRun.applied).toEqual([]);
    const rows = await admin((c) => c.query('SELECT count(*)::int AS n FROM _prisma_migrations'), url);
    expect(rows.rows[0].n).toBe((await migrationNames()).length);
  });

  test("when applied, then _prisma_migrations has Prisma's columns and types", async () => {
    const { rows } = await admin(
      (c) =>
        c.query(
          `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
             FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
        ),
      url,
    );
    expect(rows).toEqual([
      { column_name: 'id', data_type: 'character varying', len: 36, is_nullable: 'NO', column_default: null },
      {
        column_name: 'checksum',
        data_type: 'character varying',
        len: 64,
        is_nullable: 'NO',
        column_default: null,
      },
      {
        column_name: 'finished_at',
        data_type: 'timestamp with time zone',
        len: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'migration_name',
        data_type: 'character varying',
        len: 255,
        is_nullable: 'NO',
        column_default: null,
      },
      { column_name: 'logs', data_type: 'text', len: null, is_nullable: 'YES', column_default: null },
      {
        column_name: 'rolled_back_at',
        data_type: 'timestamp with time zone',
        len: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'started_at',
        data_type: 'timestamp with time zone',
        len: null,
        is_nullable: 'NO',
        column_default: 'now()',
      },
      {
        column_name: 'applied_steps_count',
        data_type: 'integer',
        len: null,
        is_nullable: 'NO',
        column_default: '0',
      },
    ]);
    const pk = await admin(
      (c) =>
        c.query(
          `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = '_prisma_migrations'::regclass AND i.indisprimary`,
        ),
      url,
    );
    expect(pk.rows).toEqual([{ attname: 'id' }]);
  });

  test('when applied, then each migration has a finished row with the sha256 of its migration.sql', async () => {
    const { rows } = await admin(
      (c) =>
        c.query(
          `SELECT id, migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count, started_at
             FROM _prisma_migrations ORDER BY migration_name`,
        ),
      url,
    );
    const names = await migrationNames();
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const [i, row] of rows.entries()) {
      const file = await readFile(join(migrationsDir, names[i] as string, 'migration.sql'));
      expect(row.checksum).toBe(sha256(file));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  test('when applied, then the tables users, events, seats and tickets exist', async () => {
    const { rows } = await admin(
      (c) =>
        c.query(
          `SELECT table_name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_name = ANY($1) ORDER BY table_name`,
          [['users', 'events', 'seats', 'tickets']],
        ),
      url,
    );
    expect(rows.map((r) => r.table_name)).toEqual(['events', 'seats', 'tickets', 'users']);
  });
});
