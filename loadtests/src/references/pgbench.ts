// Reference for `spread`: pgbench running the purchase-shaped transaction with
// 8 clients on the same PostgreSQL: what the database alone sustains.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postgresBinDir } from '@tickets/infra/debian';
import { PURCHASE_SQL, prepareScratch } from './scratch-db.ts';

export async function pgbenchPurchases(databaseUrl: string, seconds: number): Promise<number> {
  const url = new URL(await prepareScratch(databaseUrl));
  const script = join(mkdtempSync(join(tmpdir(), 'tickets-pgbench-')), 'purchase.sql');
  writeFileSync(script, PURCHASE_SQL);
  const result = spawnSync(
    join(postgresBinDir(), 'pgbench'),
    [
      '-n',
      '-f',
      script,
      '-c',
      '8',
      '-j',
      '2',
      '-T',
      String(seconds),
      '-h',
      url.hostname,
      '-p',
      url.port,
      '-U',
      url.username || 'postgres',
      url.pathname.slice(1),
    ],
    { encoding: 'utf8' },
  );
  const tps = /tps = ([\d.]+)/.exec(result.stdout);
  if (result.status !== 0 || !tps) throw new Error(`pgbench failed: ${result.stderr || result.stdout}`);
  return Number(tps[1]);
}
