// Each workspace is self-contained: a relative import never leaves the directory of
// the workspace it is written in; another workspace is imported by its package name,
// through what that package exports. Files outside every workspace (deploy/, prisma/,
// the root configs) belong to the root and import the workspaces by name too.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces as string[]).map(
  (w) => resolve(root, w),
);
// Installed, generated or built code, and the local cluster's state (.run).
const SKIPPED = new Set(['node_modules', 'generated', 'dist']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** `from '…'`, `import '…'` and `import('…')` whose specifier is relative. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.\.?\/[^'"]*)\1/g;

const relativeImports = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)].map((m) => m[2] as string);

/** The workspace directory a path is in: the root for files outside every workspace, none outside the repository. */
const workspaceOf = (path: string) =>
  relative(root, path).startsWith('..') ? null : (workspaces.find((w) => path.startsWith(w + sep)) ?? root);

describe('imports between workspaces', () => {
  const files = sourceFiles(root);

  it('when every TypeScript file of the repository is read, then its relative imports stay in its own workspace', () => {
    const imports = files.flatMap((file) => relativeImports(file).map((specifier) => ({ file, specifier })));
    // The scan finds what it looks for (the workspaces import their own files relatively).
    expect(imports.length).toBeGreaterThan(500);
    const leaving = imports
      .filter(({ file, specifier }) => workspaceOf(resolve(dirname(file), specifier)) !== workspaceOf(file))
      .map(({ file, specifier }) => `${relative(root, file)}: ${specifier}`);
    expect(leaving).toEqual([]);
  });

  it('when the workspaces are listed, then each one holds TypeScript of its own', () => {
    for (const workspace of workspaces) {
      expect(
        files.some((file) => workspaceOf(file) === workspace),
        relative(root, workspace),
      ).toBe(true);
    }
  });
});
