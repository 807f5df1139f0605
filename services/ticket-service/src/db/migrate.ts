// Applies prisma/migrations the way `prisma migrate deploy` does, keeping its `_prisma_migrations`
// bookkeeping, because Prisma's migrate commands need a native engine these machines cannot download.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { type MigrationFile, matchesChecksum, readMigrations } from './migration-files.ts';

/** The advisory lock key Prisma Migrate takes, so this runner and Prisma exclude each other. */
export const PRISMA_MIGRATE_LOCK = 72707369;

// Prisma's own DDL for the table (schema-engine, PostgreSQL flavour).
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export async function applyMigrations(
  databaseUrl: string,
  migrationsDir: string,
  log: (msg: string) => void = () => {},
): Promise<{ applied: string[] }> {
  const migrations = await readMigrations(migrationsDir);
  const client = new pg.Client(clientConfig(databaseUrl));
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const history = await client.query<MigrationRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM _prisma_migrations ORDER BY started_at',
    );
    const done = checkHistory(history.rows, migrations);
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !done.has(m.name))) {
      await applyOne(client, migration);
      log(`applied migration ${migration.name}`);
      applied.push(migration.name);
    }
    if (applied.length === 0) log('no pending migrations');
    return { applied };
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end();
  }
}

/** Refuses a failed or edited history like Prisma does; returns the names already applied. */
function checkHistory(rows: MigrationRow[], migrations: MigrationFile[]): Set<string> {
  const files = new Map(migrations.map((m) => [m.name, m]));
  const done = new Set<string>();
  for (const row of rows.filter((r) => r.rolled_back_at === null)) {
    if (row.finished_at === null) {
      throw new Error(
        `Migration ${row.migration_name} failed or is still running (finished_at and rolled_back_at are null); ` +
          `fix the database, then mark it with \`prisma migrate resolve\`. Logs: ${row.logs ?? '(none)'}`,
      );
    }
    const file = files.get(row.migration_name);
    if (file && !matchesChecksum(file.sql, row.checksum)) {
      throw new Error(
        `Migration ${row.migration_name} was modified after it was applied: the database recorded checksum ` +
          `${row.checksum}, the file has ${file.checksum}. Restore the file and add a new migration instead.`,
      );
    }
    done.add(row.migration_name);
  }
  return done;
}

async function applyOne(client: pg.Client, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query('INSERT INTO _prisma_migrations (id, checksum, migration_name) VALUES ($1, $2, $3)', [
      id,
      migration.checksum,
      migration.name,
    ]);
    await client.query(migration.sql);
    await client.query(
      'UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    const message = error instanceof Error ? error.message : String(error);
    // The transaction left nothing behind, so the attempt is recorded as already rolled back:
    // the next run (ours or Prisma's) retries it once the file is fixed.
    await client.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, rolled_back_at)
       VALUES ($1, $2, $3, $4, clock_timestamp())`,
      [id, migration.checksum, migration.name, message],
    );
    throw new Error(`Migration ${migration.name} failed and was rolled back: ${message}`, { cause: error });
  }
}

/** Prisma URLs may carry `?schema=`, which pg does not know; it becomes the search_path. */
function clientConfig(databaseUrl: string): pg.ClientConfig {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema');
  if (schema === null) return { connectionString: databaseUrl };
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), options: `-c search_path="${schema.replaceAll('"', '""')}"` };
}
