// pg-restart: pg_ctl restart -m immediate of the cluster's PostgreSQL (a crash and its
// recovery), timed from here by fresh connections until one answers again.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRoot, postgresBinDir } from '@tickets/infra/debian';
import pg from 'pg';
import { readClusterFile } from '../processes.ts';
import type { FaultKind } from './fault-kind.ts';

export const postgresRestart: FaultKind = {
  name: 'pg-restart',
  summary: 'pg_ctl restart -m immediate of PostgreSQL (crash and recovery)',
  bound: () => ({
    what: 'first sale after PostgreSQL accepts connections again',
    limitMs: 5_000,
    on: 'firstSale',
  }),
  async inject(ctx) {
    const dataDir = readClusterFile(ctx.stateFile).postgres?.dataDir;
    if (!dataDir) throw new Error('cluster.json names no PostgreSQL data directory');
    const pgCtl = join(postgresBinDir(), 'pg_ctl');
    const args = [
      '-D',
      dataDir,
      '-l',
      join(dataDir, 'postgres.log'),
      '-m',
      'immediate',
      '-w',
      '-t',
      '60',
      'restart',
    ];
    const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', pgCtl, ...args]] : [pgCtl, args];
    // With synchronous_commit off (a cluster started with TICKETS_PG_FSYNC=off) a crash
    // loses commits that were already answered: the checker's "lost" then says so.
    const durability = await ctx.db
      .query<{ synchronous_commit: string }>('SHOW synchronous_commit')
      .then((r) => r.rows[0]?.synchronous_commit ?? '?')
      .catch(() => '?');
    const startedAt = Date.now();
    const restart = new Promise<string | undefined>((resolve) => {
      // cwd "/": the postgres user may not be allowed into ours.
      execFile(file, argv, { cwd: '/', encoding: 'utf8' }, (err, _out, stderr) =>
        resolve(err ? `${err.message} ${stderr}`.trim() : undefined),
      );
    });
    // When PostgreSQL accepts connections again, seen from here: a fresh connection that answers.
    let acceptedAt: number | undefined;
    let downSeen = false;
    while (Date.now() - startedAt < 60_000) {
      const probe = new pg.Client({ connectionString: ctx.databaseUrl, connectionTimeoutMillis: 500 });
      // The server may die under the probe: that is an answer (not yet), not a crash of this process.
      probe.on('error', () => undefined);
      const ok = await probe
        .connect()
        .then(() => probe.query('SELECT 1'))
        .then(() => true)
        .catch(() => false);
      await probe.end().catch(() => undefined);
      if (!ok) downSeen = true;
      else if (downSeen) {
        acceptedAt = Date.now();
        break;
      }
      await sleep(25);
    }
    const failed = await restart;
    const failures: string[] = [];
    if (failed) failures.push(`pg_ctl restart failed: ${failed}`);
    if (acceptedAt === undefined)
      failures.push('PostgreSQL was not seen accepting connections again within 60 s');
    const endedAt = acceptedAt ?? Date.now();
    return {
      target: 'PostgreSQL',
      startedAt,
      endedAt,
      recoveryFrom: acceptedAt,
      notes: [
        `pg_ctl restart -m immediate; connections accepted again after ${endedAt - startedAt} ms`,
        ...(durability === 'on'
          ? []
          : [
              `PostgreSQL runs with synchronous_commit=${durability}: a crash may lose commits already answered (start the cluster without TICKETS_PG_FSYNC=off)`,
            ]),
      ],
      measures: {
        acceptingAfterMs: acceptedAt === undefined ? null : acceptedAt - startedAt,
        synchronousCommit: durability,
      },
      failures,
    };
  },
};
