import { randomUUID } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testServices } from '@tickets/testkit/services';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyMigrations } from '../src/db/migrate.ts';
import { sha256 } from '../src/db/migration-files.ts';

const migrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations');
const created: string[] = [];
const scratchDirs: string[] = [];

/** A fresh, empty database in the shared test Postgres. */
async function freshDatabase(): Promise<string> {
  const name = `migrate_${randomUUID().replaceAll('-', '')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  created.push(name);
  const url = new URL(testServices().databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(
  work: (client: pg.Client) => Promise<T>,
  url = testServices().databaseUrl,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function migrationNames(): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

afterAll(async () => {
  for (const name of created)
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true });
});

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
