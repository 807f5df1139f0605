// A migrated database of its own in the shared test PostgreSQL, for tests of
// work that reads every row of a table (the capture sweep), which other test
// files writing the shared database would disturb.
import { randomUUID } from 'node:crypto';
import { migrate } from '@tickets/testkit/migrations';
import { testServices } from '@tickets/testkit/services';
import pg from 'pg';

async function asAdmin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testServices().databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function ownDatabase(tag: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${tag}_${randomUUID().replaceAll('-', '')}`;
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(testServices().databaseUrl);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return { url: url.toString(), drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
