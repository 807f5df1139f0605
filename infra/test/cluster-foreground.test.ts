// `npm run cluster -- up` without --detach, as README's first command runs it:
// it stays in the foreground, serves the demo event at the URL it prints, and
// Ctrl-C (SIGINT to its process group) stops everything it started.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterCommand } from '@tickets/testkit/cluster-cli';
import { httpsClient } from '@tickets/testkit/https-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterState } from '../cluster/state.ts';
import { freePorts } from '../lib/free-port.ts';
import { pollUntil, processAlive } from '../lib/process.ts';

const root = join(import.meta.dirname, '../..');
const runDir = mkdtempSync(join(tmpdir(), 'tickets-foreground-'));
chmodSync(runDir, 0o755);

afterAll(async () => {
  if (existsSync(join(runDir, 'cluster.json'))) await clusterCommand(runDir, ['down']);
  rmSync(runDir, { recursive: true, force: true });
}, 120_000);

describe('cluster in the foreground', () => {
  it('when started without --detach, then it serves the demo event and Ctrl-C stops every process', async () => {
    const [https, http] = await freePorts(2);
    const child = spawn(
      'npm',
      [
        'run',
        'cluster',
        '--',
        'up',
        '--replicas',
        '2',
        '--https-port',
        String(https),
        '--http-port',
        String(http),
      ],
      {
        cwd: root,
        env: { ...process.env, TICKETS_RUN_DIR: runDir, TICKETS_PG_FSYNC: 'off', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group, like a terminal's foreground job
      },
    );
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    // npm itself ends by the SIGINT (as in a terminal); the command under it stops the cluster first.
    const exited = new Promise<string>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
    );
    try {
      await pollUntil(() => /running in the foreground/.test(output), 'the cluster to come up', 180_000, 100);
      const url = /ready: (https:\/\/\S+)/.exec(output)?.[1] as string;
      const state = JSON.parse(readFileSync(join(runDir, 'cluster.json'), 'utf8')) as ClusterState;
      expect(url).toBe(state.gatewayUrl);
      const client = httpsClient(url, readFileSync(join(runDir, 'tls/gateway.crt'), 'utf8'));
      const events = JSON.parse((await client.call('GET', '/api/v1/events')).body);
      client.close();
      expect(events.items.map((e: { title: string }) => e.title)).toContain('Demo Concert');

      const pids = [
        state.gatewayPid,
        state.supervisorPid as number,
        ...state.replicas.map((r) => r.pid),
        ...state.redis.map((r) => r.pid),
      ];
      expect(processAlive(state.supervisorPid as number)).toBe(true);
      process.kill(-(child.pid as number), 'SIGINT');
      expect(['SIGINT', 'code 0']).toContain(await exited);
      await pollUntil(() => /cluster: stopped/.test(output), 'the cluster to report it stopped', 60_000);
      for (const pid of pids) expect(processAlive(pid), `pid ${pid}`).toBe(false);
      expect(existsSync(join(state.postgres.dataDir, 'postmaster.pid'))).toBe(false);
      expect(existsSync(join(runDir, 'cluster.json'))).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null)
        process.kill(-(child.pid as number), 'SIGKILL');
    }
  }, 240_000);
});
