// The local overlay: PostgreSQL in the cluster, a self-made certificate, and a valid
// configuration for every replica from its ConfigMap and Secret.
import { loadConfig } from '@tickets/ticket-service/config';
import { describe, expect, it } from 'vitest';
import type { Tree } from '../support/tree.ts';
import { find, podSpec, rendered } from './support.ts';

describe('Kubernetes manifests', () => {
  it('when the local overlay is rendered, then it runs PostgreSQL in the cluster and the gateway makes its own certificate', () => {
    const local = rendered.local;
    expect(find(local, 'StatefulSet', 'postgres')).toBeDefined();
    expect(find(local, 'Secret', 'ticket-service-secrets')).toBeDefined();
    const gateway = podSpec(find(local, 'Deployment', 'gateway'));
    expect(gateway.volumes.find((v: Tree) => v.name === 'tls')).toEqual({
      name: 'tls',
      emptyDir: { sizeLimit: '1Mi' },
    });
    expect(gateway.containers[0].env).toContainEqual({ name: 'TICKETS_SELF_SIGNED_TLS', value: '1' });
    expect(
      local.map((m) => (m as Tree).spec?.template?.spec?.containers?.[0]?.image).filter(Boolean),
    ).toContain('tickets/ticket-service:dev');
  });

  it('when the local overlay is rendered, then the ConfigMap and Secret give each replica a valid service configuration', () => {
    const local = rendered.local;
    const env = {
      ...find(local, 'ConfigMap', 'ticket-service-config').data,
      ...(find(local, 'Secret', 'ticket-service-secrets') as Tree).stringData,
      REPLICA_ID: 'ticket-service-abc12',
    };
    const config = loadConfig(env);
    // Its development secrets pass only because the overlay says what it is.
    expect(config.allowWeakSecrets).toBe(true);
    const { TICKETS_ALLOW_WEAK_SECRETS: _, ...elsewhere } = env;
    expect(() => loadConfig(elsewhere)).toThrow(/JWT_SECRET looks like a placeholder/);
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(
      podSpec(find(local, 'Deployment', 'ticket-service')).containers[0].ports[0].containerPort,
    );
    // The database URL and every Redis URL name a Service of the overlay.
    for (const url of [config.databaseUrl, ...config.redisUrls]) {
      expect(find(local, 'Service', new URL(url).hostname)).toBeDefined();
    }
  });
});
