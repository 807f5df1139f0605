// The repository explains itself: every relative link in README.md and docs/*.md
// names a file or directory that exists (docs/invariants.md names the code that
// keeps each promise and the tests that prove it; a rename must not leave it wrong),
// and none leads out of the repository: a clone must explain itself.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const documents = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, 'docs', f)),
];

function relativeLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => (m[1] as string).split('#')[0] as string)
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target));
}

describe('documentation links', () => {
  it('when README and docs/ are read, then every relative link names something in the repository', () => {
    const broken = documents.flatMap((file) =>
      relativeLinks(file)
        .filter((target) => !existsSync(resolve(dirname(file), decodeURI(target))))
        .map((target) => `${file.slice(root.length + 1)}: ${target}`),
    );
    expect(broken).toEqual([]);
  });

  it('when docs/invariants.md is read, then it names the code and the tests of all five promises', () => {
    const text = readFileSync(join(root, 'docs/invariants.md'), 'utf8');
    for (const id of ['I1', 'I2', 'I3', 'I4', 'I5']) expect(text).toContain(`**${id}**`);
    expect(relativeLinks(join(root, 'docs/invariants.md')).length).toBeGreaterThan(20);
  });

  it('when README and docs/ are read, then no relative link leaves the repository', () => {
    const outside = documents.flatMap((file) =>
      relativeLinks(file)
        .filter((target) => relative(root, resolve(dirname(file), decodeURI(target))).startsWith('..'))
        .map((target) => `${file.slice(root.length + 1)}: ${target}`),
    );
    expect(outside).toEqual([]);
  });
});
