// Validation of Kubernetes manifests against the API's schemas, offline, with the
// `kubernetes-models` package (JSON schemas of the Kubernetes OpenAPI, compiled):
// types, required fields, enums and formats. Those schemas allow unknown fields (as
// the OpenAPI does), while `kubectl apply` rejects them (strict field validation), so
// `unknownFields` adds that check: every manifest as an object literal typed with the
// package's interface, through TypeScript's excess-property check.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** The module of `kubernetes-models` that holds the model of this apiVersion and kind. */
export function modelModule(m: KubeObject): string {
  const [group, version] = m.apiVersion.includes('/') ? m.apiVersion.split('/') : ['', m.apiVersion];
  return `kubernetes-models/${group ? `${group}/` : ''}${version}/${m.kind}`;
}

export const nameOf = (m: KubeObject) => `${m.kind}/${m.metadata.name}`;

/** Schema errors of one manifest (empty when valid); throws if the kind is unknown. */
export async function schemaErrors(m: KubeObject): Promise<string[]> {
  const mod = (await import(modelModule(m))) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = mod[m.kind];
  if (!Model) throw new Error(`kubernetes-models has no ${m.kind} in ${modelModule(m)}`);
  try {
    new Model(m).validate();
    return [];
  } catch (error) {
    return [`${nameOf(m)}: ${(error as Error).message}`];
  }
}

/** Fields that the Kubernetes API does not know, as TypeScript reports them. */
export function unknownFields(manifests: KubeObject[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tickets-k8s-types-'));
  try {
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    const lines = manifests.flatMap((m, i) => [
      `// ${nameOf(m)}`,
      `import type { I${m.kind} as T${i} } from '${modelModule(m)}';`,
      `export const m${i}: T${i} = ${JSON.stringify(m)};`,
    ]);
    writeFileSync(join(dir, 'manifests.ts'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          skipLibCheck: true,
          types: [],
        },
        files: ['manifests.ts'],
      }),
    );
    const tsc = spawnSync(
      join(repoRoot, 'node_modules/.bin/tsc'),
      ['-p', 'tsconfig.json', '--pretty', 'false'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    if (tsc.error) throw tsc.error;
    if (tsc.status === 0) return [];
    // manifests.ts(<line>,<col>): error …  → name the manifest (three lines each).
    return tsc.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const at = /^manifests\.ts\((\d+),/.exec(line);
        const index = at ? Math.floor((Number(at[1]) - 1) / 3) : -1;
        const m = manifests[index];
        return m ? `${nameOf(m)}: ${line.replace(/^manifests\.ts\(\d+,\d+\): /, '')}` : line;
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
