// Reads the Dockerfiles (dockerfile-ast, the parser of the VS Code Docker language
// server) and the build context (.dockerignore with @balena/dockerignore, a port of
// Docker's own matcher), so tests can check what an image build would see.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { repoRoot } from './paths.ts';

// A CommonJS module whose typings declare a default export it does not have.
const ignore = createRequire(import.meta.url)(
  '@balena/dockerignore',
) as typeof import('@balena/dockerignore').default;

export interface Stage {
  /** FROM's image with the initial ARG defaults substituted. */
  image: string;
  name: string | null;
  instructions: Instruction[];
}

export function parseDockerfile(file: string) {
  const text = readFileSync(file, 'utf8');
  const dockerfile = DockerfileParser.parse(text);
  const args: Record<string, string> = {};
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property) args[property.getName()] = property.getValue() ?? '';
  }
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', , name = null] = instruction.getArguments().map((a) => a.getValue());
      stages.push({
        image: image.replace(/\$\{(\w+)\}/g, (_, n: string) => args[n] ?? ''),
        name,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { text, args, stages };
}

/** KEY=value pairs of the ENV instructions of the final stage. */
export function dockerfileEnv(file: string): Record<string, string> {
  const final = parseDockerfile(file).stages.at(-1);
  const env: Record<string, string> = {};
  for (const instruction of final?.instructions ?? []) {
    if (instruction.getKeyword() !== 'ENV') continue;
    for (const property of (instruction as unknown as { getProperties(): Property[] }).getProperties()) {
      env[property.getName()] = property.getValue() ?? '';
    }
  }
  return env;
}

interface Property {
  getName(): string;
  getValue(): string | null;
}

export interface CopyInstruction {
  stage: string;
  from: string | null;
  sources: string[];
  destination: string;
  flags: string[];
}

export function copies(file: string): CopyInstruction[] {
  return parseDockerfile(file).stages.flatMap((stage) =>
    stage.instructions
      .filter((i) => i.getKeyword() === 'COPY')
      .map((i) => {
        const flags = (
          i as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }
        ).getFlags();
        const args = i.getArguments().map((a) => a.getValue());
        return {
          stage: stage.name ?? stage.image,
          from: flags.find((f) => f.getName() === 'from')?.getValue() ?? null,
          flags: flags.map((f) => `${f.getName()}=${f.getValue()}`),
          sources: args.slice(0, -1),
          destination: args.at(-1) as string,
        };
      }),
  );
}

export function contextFilter() {
  const patterns = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'));
  return ignore().add(patterns);
}

/** Files of the repository that the build context holds (node_modules and .git skipped while walking). */
export function contextFiles(): string[] {
  const ig = contextFilter();
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(repoRoot, path));
    }
  };
  walk(repoRoot);
  return ig.filter(files);
}
