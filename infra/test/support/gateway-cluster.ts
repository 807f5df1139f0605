// A local cluster for tests that go through the gateway: started, its state and
// TLS certificate read, an HTTPS client on the gateway, and the admin's token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster, type TestCluster } from '@tickets/testkit/cluster-cli';
import { httpsClient } from '@tickets/testkit/https-client';
import type { ClusterState } from '../../cluster/state.ts';

export interface GatewayCluster {
  cluster: TestCluster;
  state: ClusterState;
  /** The gateway's self-signed certificate. */
  ca: string;
  client: ReturnType<typeof httpsClient>;
  adminToken: string;
  stop(): Promise<void>;
}

export async function startGatewayCluster(
  replicas: number,
  env: Record<string, string> = {},
): Promise<GatewayCluster> {
  const cluster = await startTestCluster(replicas, env);
  const state = JSON.parse(readFileSync(join(cluster.runDir, 'cluster.json'), 'utf8')) as ClusterState;
  const ca = readFileSync(join(cluster.runDir, 'tls/gateway.crt'), 'utf8');
  const client = httpsClient(state.gatewayUrl, ca);
  const secrets = JSON.parse(readFileSync(join(cluster.runDir, 'secrets.json'), 'utf8'));
  const login = await client.call('POST', '/api/v1/auth/login', {
    body: { email: secrets.adminEmail, password: secrets.adminPassword },
  });
  const adminToken = JSON.parse(login.body).token;
  return {
    cluster,
    state,
    ca,
    client,
    adminToken,
    async stop() {
      client.close();
      await cluster.stop();
    },
  };
}
