// docs/operations.md must name every setting and every metric an operator can meet, and
// docs/invariants.md every fault the faults load test injects. The sources are read as text
// (no import: they belong to other workspaces): the variables config.ts reads, those the
// cluster command reads, the metrics the service registers, the faults' names.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const operations = read('docs/operations.md');

/** TypeScript files under a directory, generated code aside. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const unique = (names: string[]) => [...new Set(names)].sort();

/** Names a page shows as a table row of their own: | `NAME` | … */
const tableRows = (markdown: string) =>
  new Set([...markdown.matchAll(/^\| `([A-Za-z0-9_-]+)` \|/gm)].map((m) => m[1] as string));

/** `env.NAME` / `process.env.NAME` in config.ts, and the names config/env-names.ts reports errors under. */
function configVariables(): string[] {
  const source = read('services/ticket-service/src/config.ts');
  const read_ = [...source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string);
  const names = read('services/ticket-service/src/config/env-names.ts');
  const table = /const ENV_NAMES[^{]*\{([^}]*)\}/.exec(names)?.[1];
  // A scan that finds no table must fail, not pass with nothing to check.
  if (!table) throw new Error('ENV_NAMES not found in services/ticket-service/src/config/env-names.ts');
  const named = [...table.matchAll(/:\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1] as string);
  return unique([...read_, ...named]);
}

/** What the cluster command reads from its environment (PATH aside). */
function clusterVariables(): string[] {
  const names = sources('infra/cluster').flatMap((file) =>
    [...read(file).matchAll(/\b(?:process\.)?env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string),
  );
  return unique(names).filter((name) => name !== 'PATH');
}

const METRIC = /new (?:Counter|Gauge|Histogram|Summary)\(\{\s*name:\s*'([a-z_:][a-z0-9_:]*)'/g;
const CONSTRUCTED = /new (?:Counter|Gauge|Histogram|Summary)\(/g;

function serviceMetrics(): { names: string[]; constructed: number } {
  const files = sources('services/ticket-service/src').map(read);
  return {
    names: unique(files.flatMap((text) => [...text.matchAll(METRIC)].map((m) => m[1] as string))),
    constructed: files.reduce((n, text) => n + [...text.matchAll(CONSTRUCTED)].length, 0),
  };
}

describe('docs/operations.md', () => {
  it('when config.ts is read, then every environment variable it reads has a row in the configuration', () => {
    const variables = configVariables();
    // The scan finds what it looks for.
    expect(variables).toContain('LOCK_TTL_MS');
    expect(variables.length).toBeGreaterThan(40);
    const rows = tableRows(operations);
    expect(variables.filter((name) => !rows.has(name))).toEqual([]);
  });

  it('when the cluster command is read, then every environment variable it reads is documented', () => {
    const variables = clusterVariables();
    expect(variables).toContain('TICKETS_RUN_DIR');
    const rows = tableRows(operations);
    expect(variables.filter((name) => !rows.has(name))).toEqual([]);
  });

  it('when the service is read, then every metric it registers is described', () => {
    const { names, constructed } = serviceMetrics();
    // Every metric constructed was found by name (none is written in a shape the scan misses).
    expect(names.length).toBe(constructed);
    expect(names).toContain('tickets_fenced_rejections_total');
    const rows = tableRows(operations);
    expect(names.filter((name) => !rows.has(name))).toEqual([]);
  });
});

/** The faults of the faults load test: each kind's name, and how many the run's list holds. */
function faults(): { names: string[]; listed: number } {
  const files = sources('loadtests/src').map(read);
  const names = files.flatMap((text) =>
    [...text.matchAll(/: FaultKind = \{\s*name: '([a-z-]+)'/g)].map((m) => m[1] as string),
  );
  const list = files
    .map((text) => /export const faultKinds: FaultKind\[\] = \[([^\]]*)\]/.exec(text)?.[1])
    .find((found) => found !== undefined);
  return { names: unique(names), listed: (list ?? '').split(',').filter((s) => s.trim()).length };
}

describe('docs/invariants.md', () => {
  it('when the faults load test is read, then every fault it injects has a row', () => {
    const { names, listed } = faults();
    // Every fault of the run's list was found by name.
    expect(names.length).toBe(listed);
    expect(names).toContain('pg-restart');
    const rows = tableRows(read('docs/invariants.md'));
    expect(names.filter((name) => !rows.has(name))).toEqual([]);
  });
});
