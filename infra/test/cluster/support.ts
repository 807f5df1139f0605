// The local cluster as ops use it: the real `npm run cluster` command, real nginx with
// TLS, PostgreSQL, three Redis masters and replica processes, all on loopback in a
// temporary run directory; one per test file, and what the tests read of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterCommand, startTestCluster, type TestCluster } from '@tickets/testkit/cluster-cli';
import { type Answer, httpsClient } from '@tickets/testkit/https-client';
import { TEST_RATE_LIMIT_FACTOR } from '@tickets/testkit/rate-limit-factor';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ClusterState } from '../../cluster/state.ts';

// Set by useLocalCluster before the file's tests run; importers see the current values
// through the live bindings.
export let cluster: TestCluster;
export let runDir: string;
/** What `cluster up` printed. */
export let printed: string;
export let client: ReturnType<typeof httpsClient>;

export function useLocalCluster(): void {
  beforeAll(async () => {
    cluster = await startTestCluster(3);
    runDir = cluster.runDir;
    printed = cluster.output;
    client = httpsClient(state().gatewayUrl, readFileSync(join(runDir, 'tls/gateway.crt'), 'utf8'));
  }, 240_000);

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  }, 120_000);
}

export const state = () => JSON.parse(readFileSync(join(runDir, 'cluster.json'), 'utf8')) as ClusterState;
export const replicaOf = (a: Answer) => String(a.headers['x-replica-id']);
export const replica = (id: string) => {
  const found = state().replicas.find((r) => r.id === id);
  if (!found) throw new Error(`no ${id} in cluster.json`);
  return found;
};
export const supervisorLog = () => readFileSync(join(runDir, 'logs/supervisor.log'), 'utf8');
/** The environment a process was started with. */
export const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
// What the test harness starts every cluster with (packages/testkit/src/global-setup.ts).
export const FACTOR = TEST_RATE_LIMIT_FACTOR;
/** The row of `cluster status` for one replica, split into its columns. */
export async function statusRow(id: string): Promise<string> {
  const res = await clusterCommand(runDir, ['status']);
  expect(res.code, res.output).toBe(0);
  const row = res.output.split('\n').find((line) => line.startsWith(`${id} `));
  if (!row) throw new Error(`no row for ${id} in:\n${res.output}`);
  return row;
}

export async function adminToken(): Promise<string> {
  const secrets = JSON.parse(readFileSync(join(runDir, 'secrets.json'), 'utf8'));
  const res = await client.call('POST', '/api/v1/auth/login', {
    body: { email: secrets.adminEmail, password: secrets.adminPassword },
  });
  return JSON.parse(res.body).token;
}
