// The migration runner (src/db/migrate.ts) on databases of its own, made in the shared
// test PostgreSQL and dropped after the file's tests, as are the scratch copies of
// prisma/migrations.
import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testServices } from '@tickets/testkit/services';
import pg from 'pg';
import { afterAll } from 'vitest';

export const migrationsDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../prisma/migrations',
);
const created: string[] = [];
export const scratchDirs: string[] = [];

/** A fresh, empty database in the shared test Postgres. */
export async function freshDatabase(): Promise<string> {
  const name = `migrate_${randomUUID().replaceAll('-', '')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  created.push(name);
  const url = new URL(testServices().databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function admin<T>(
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

export async function migrationNames(): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Drops the databases and removes the directories the file's tests made. */
export function useScratchDatabases(): void {
  afterAll(async () => {
    for (const name of created)
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    for (const dir of scratchDirs) await rm(dir, { recursive: true, force: true });
  });
}
