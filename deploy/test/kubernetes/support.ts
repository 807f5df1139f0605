// The Kubernetes manifests as kustomize renders each overlay, and the Secret template.
import { readFileSync } from 'node:fs';
import { type Manifest, parseYamlDocuments, render } from '../support/kustomize.ts';
import { fromRoot } from '../support/paths.ts';
import type { Tree } from '../support/tree.ts';

export const overlays = ['local', 'production'] as const;
export const rendered = Object.fromEntries(
  overlays.map((o) => [o, render(fromRoot('k8s/overlays', o))]),
) as Record<(typeof overlays)[number], Manifest[]>;
export const secretTemplate = parseYamlDocuments(
  readFileSync(fromRoot('k8s/secret.example.yaml'), 'utf8'),
  'k8s/secret.example.yaml',
) as Manifest[];

export const find = (ms: Manifest[], kind: string, name: string) => {
  const m = ms.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind}/${name}`);
  return m as Tree;
};
export const podSpec = (m: { spec: Tree }) => m.spec.template.spec;
