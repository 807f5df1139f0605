// The production overlay: no database Pod, no secret values (they come from the Secret
// template, filled in out of band), and pinned registry images.
import { describe, expect, it } from 'vitest';
import { type KubeObject, schemaErrors, unknownFields } from '../support/kubernetes.ts';
import type { Manifest } from '../support/kustomize.ts';
import type { Tree } from '../support/tree.ts';
import { find, podSpec, rendered, secretTemplate } from './support.ts';

describe('Kubernetes manifests', () => {
  it('when the production overlay is rendered, then it has no database Pod and no secret values, and pins registry images', () => {
    const prod = rendered.production;
    expect(prod.filter((m) => m.metadata.name === 'postgres')).toEqual([]);
    expect(prod.filter((m) => m.kind === 'Secret')).toEqual([]);
    const images = prod
      .flatMap((m) => (m as Tree).spec?.template?.spec?.containers ?? [])
      .map((c: Tree) => c.image);
    for (const image of images.filter((i: string) => i.includes('tickets/'))) {
      expect(image).toMatch(/^registry\.example\.com\/tickets\/[a-z-]+:\d+\.\d+\.\d+$/);
    }
    const gateway = podSpec(find(prod, 'Deployment', 'gateway'));
    expect(gateway.volumes.find((v: Tree) => v.name === 'tls').secret.secretName).toBe('gateway-tls');
    // Weak secrets are allowed only in the development overlay.
    expect(find(prod, 'ConfigMap', 'ticket-service-config').data.TICKETS_ALLOW_WEAK_SECRETS).toBeUndefined();
    expect(find(rendered.local, 'ConfigMap', 'ticket-service-config').data.TICKETS_ALLOW_WEAK_SECRETS).toBe(
      '1',
    );
  });

  it('when the Secret template is read, then it validates and holds no values', async () => {
    expect(secretTemplate).toHaveLength(1);
    const [secret] = secretTemplate as (Manifest & { stringData: Record<string, string> })[];
    expect(await schemaErrors(secret as KubeObject)).toEqual([]);
    expect(unknownFields(secretTemplate)).toEqual([]);
    expect(Object.values(secret?.stringData ?? {})).toEqual(['', '', '', '']);
    const used = find(rendered.local, 'Secret', 'ticket-service-secrets') as Tree;
    expect(Object.keys(secret?.stringData ?? {}).sort()).toEqual(Object.keys(used.stringData).sort());
  });
});
