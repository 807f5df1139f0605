// Operator commands:
//   node src/cli.ts migrate
//   node src/cli.ts create-admin --email a@b.c --password '…' [--name 'Ops']
// Both read DATABASE_URL.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadDatabaseConfig } from './config.ts';
import { applyMigrations } from './db/migrate.ts';
import { ensureAdmin } from './domain/accounts/bootstrap-admin.ts';
import { createPrisma } from './plugins/external/prisma.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations');

async function migrate(databaseUrl: string) {
  const { applied } = await applyMigrations(databaseUrl, MIGRATIONS_DIR, (msg) => console.log(msg));
  console.log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
}

async function createAdmin(databaseUrl: string, replica: string, args: string[]) {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  if (!values.email || !values.password) {
    throw new ConfigError('usage: create-admin --email <email> --password <password> [--name <name>]');
  }
  if (values.password.length < 8) throw new ConfigError('the password needs at least 8 characters');
  const db = createPrisma(databaseUrl, 2);
  try {
    const outcome = await ensureAdmin(
      // Creating a user changes no row that a replica may have cached.
      { db, replica, userChanged: () => {} },
      { email: values.email, password: values.password, name: values.name },
    );
    const messages = {
      created: `admin ${values.email} created`,
      exists: `admin ${values.email} already exists; nothing changed`,
      conflict: `${values.email} belongs to a customer account; choose another email`,
    };
    console.log(messages[outcome]);
    if (outcome === 'conflict') process.exitCode = 1;
  } finally {
    await db.$disconnect();
  }
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const { databaseUrl, replicaId } = loadDatabaseConfig();
  if (command === 'migrate') return migrate(databaseUrl);
  if (command === 'create-admin') return createAdmin(databaseUrl, replicaId, rest);
  throw new ConfigError(
    'usage: cli.ts migrate | create-admin --email <email> --password <password> [--name <name>]',
  );
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = err instanceof ConfigError ? 2 : 1;
});
