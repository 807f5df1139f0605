// Brings a test database to the schema of prisma/migrations with the service's own
// migration runner, as `cli.ts migrate` does in production.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '@tickets/ticket-service/migrate';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations');

export async function migrate(databaseUrl: string): Promise<void> {
  await applyMigrations(databaseUrl, migrationsDir);
}
