import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface MigrationFile {
  /** The directory name, which is what Prisma records as migration_name. */
  name: string;
  sql: string;
  /** sha256 hex of migration.sql, as Prisma stores it. */
  checksum: string;
}

/** Reads `<dir>/<name>/migration.sql` for every directory, in name order (Prisma's order). */
export async function readMigrations(migrationsDir: string): Promise<MigrationFile[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) throw new Error(`Migration directory ${name} has no migration.sql (${file})`);
      const bytes = await readFile(file);
      return { name, sql: bytes.toString('utf8'), checksum: sha256(bytes) };
    }),
  );
}

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Prisma accepts a recorded checksum when it matches the script with its line endings as
 * they are, turned to LF, or turned to CRLF, because git may rewrite them on checkout.
 */
export function matchesChecksum(sql: string, checksum: string): boolean {
  const variants = [sql, sql.replaceAll('\r\n', '\n'), sql.replaceAll('\r\n', '\n').replaceAll('\n', '\r\n')];
  return variants.some((variant) => sha256(variant) === checksum);
}
