// A small kustomize renderer for the features k8s/ uses, so that `npm test` can render
// the overlays without the kustomize binary: resources (files and directories),
// namespace, images and patches (inline JSON 6902, targeted by kind and name regex).
// Any other kustomization field is an error, so a new feature cannot be silently
// ignored; kustomize.test.ts compares the result with `kubectl kustomize` where
// kubectl is installed.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';

export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
};

type JsonPatchOp = { op: string; path: string; value?: unknown; from?: string };

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches']);

// Kinds that have no namespace (the ones a namespace transformer must leave alone).
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'CustomResourceDefinition',
  'PriorityClass',
  'IngressClass',
]);

/** Parses every document of a YAML stream, failing on any YAML error. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message}`);
      return doc.toJS() as unknown;
    })
    .filter((doc) => doc !== null && doc !== undefined);
}

export function render(dir: string): Manifest[] {
  const file = join(dir, 'kustomization.yaml');
  const k = parseYaml(readFileSync(file, 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unknown.length > 0) throw new Error(`${file}: unsupported fields ${unknown.join(', ')}`);

  let manifests: Manifest[] = [];
  for (const entry of k.resources ?? []) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) manifests.push(...render(path));
    else manifests.push(...(parseYamlDocuments(readFileSync(path, 'utf8'), path) as Manifest[]));
  }
  manifests = manifests.map((m) => structuredClone(m));

  if (k.namespace) {
    for (const m of manifests) if (!CLUSTER_SCOPED.has(m.kind)) m.metadata.namespace = k.namespace;
  }
  for (const { target, patch } of k.patches ?? []) {
    const unknownTarget = Object.keys(target).filter((key) => key !== 'kind' && key !== 'name');
    if (unknownTarget.length > 0) throw new Error(`${file}: unsupported patch target ${unknownTarget}`);
    const name = new RegExp(`^(?:${target.name})$`);
    const matched = manifests.filter((m) => m.kind === target.kind && name.test(m.metadata.name));
    if (matched.length === 0)
      throw new Error(`${file}: patch target ${target.kind}/${target.name} matches nothing`);
    const ops = parseYaml(patch) as JsonPatchOp[];
    for (const m of matched) applyJsonPatch(m, ops);
  }
  for (const image of k.images ?? []) {
    for (const m of manifests) {
      for (const container of podContainers(m)) {
        container.image = retag(container.image, image);
      }
    }
  }
  return manifests;
}

function podContainers(m: Manifest): { image: string }[] {
  const spec = m.spec as Record<string, unknown> | undefined;
  const podSpecs = [
    (spec?.template as { spec?: unknown } | undefined)?.spec,
    (
      (spec?.jobTemplate as { spec?: { template?: { spec?: unknown } } } | undefined)?.spec?.template as
        | { spec?: unknown }
        | undefined
    )?.spec,
    m.kind === 'Pod' ? spec : undefined,
  ].filter(Boolean) as { containers?: { image: string }[]; initContainers?: { image: string }[] }[];
  return podSpecs.flatMap((p) => [...(p.containers ?? []), ...(p.initContainers ?? [])]);
}

function retag(ref: string, image: { name: string; newName?: string; newTag?: string }): string {
  const match = /^(?<name>(?:[^/@]+\/)*[^:/@]+)(?::(?<tag>[^@]+))?(?:@(?<digest>.+))?$/.exec(ref);
  if (!match?.groups || match.groups.name !== image.name) return ref;
  const name = image.newName ?? match.groups.name;
  const tag = image.newTag ?? match.groups.tag;
  return tag ? `${name}:${tag}` : name;
}

/** RFC 6902, without `test`. */
export function applyJsonPatch(doc: unknown, ops: JsonPatchOp[]): void {
  for (const op of ops) {
    const path = pointer(op.path);
    const key = path.pop() as string;
    const parent = resolve(doc, path, op.path) as Record<string, unknown> | unknown[];
    const fromValue = () => {
      if (op.from === undefined) throw new Error(`${op.op} ${op.path}: no from`);
      const fromPath = pointer(op.from);
      const fromKey = fromPath.pop() as string;
      const fromParent = resolve(doc, fromPath, op.from) as Record<string, unknown>;
      return { fromParent, fromKey, value: structuredClone(fromParent[fromKey]) };
    };
    switch (op.op) {
      case 'add':
        insert(parent, key, structuredClone(op.value), op.path);
        break;
      case 'replace':
        if (!(key in (parent as object))) throw new Error(`replace ${op.path}: nothing there`);
        (parent as Record<string, unknown>)[key] = structuredClone(op.value);
        break;
      case 'remove':
        if (!(key in (parent as object))) throw new Error(`remove ${op.path}: nothing there`);
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 'copy':
        insert(parent, key, fromValue().value, op.path);
        break;
      case 'move': {
        const { fromParent, fromKey, value } = fromValue();
        if (Array.isArray(fromParent)) fromParent.splice(Number(fromKey), 1);
        else delete fromParent[fromKey];
        insert(parent, key, value, op.path);
        break;
      }
      default:
        throw new Error(`unsupported JSON patch op ${op.op}`);
    }
  }
}

function pointer(path: string): string[] {
  if (!path.startsWith('/')) throw new Error(`bad JSON pointer ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function resolve(doc: unknown, path: string[], original: string): unknown {
  let node = doc;
  for (const part of path) {
    if (node === null || typeof node !== 'object' || !(part in node)) {
      throw new Error(`JSON pointer ${original}: no ${part}`);
    }
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function insert(parent: Record<string, unknown> | unknown[], key: string, value: unknown, path: string) {
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index > parent.length) throw new Error(`add ${path}: bad index`);
    parent.splice(index, 0, value);
  } else {
    parent[key] = value;
  }
}
