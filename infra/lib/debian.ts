import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface BinaryCheck {
  /** A program name looked up on PATH, or an absolute path. */
  binary: string;
  /** The Debian package that provides it. */
  pkg: string;
}

const POSTGRES_ROOT = '/usr/lib/postgresql';
let aptUpdated = false;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function hasBinary(binary: string): boolean {
  const candidates = isAbsolute(binary)
    ? [binary]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, binary));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Installs the packages with apt-get; only root can, anyone else gets told what to install. */
export function installDebianPackages(pkgs: string[]): void {
  const unique = [...new Set(pkgs)];
  if (unique.length === 0) return;
  if (!isRoot()) {
    throw new Error(
      `Missing Debian packages: ${unique.join(', ')}. Install them with ` +
        `"sudo apt-get install -y ${unique.join(' ')}" (or run this command as root).`,
    );
  }
  if (!aptUpdated) {
    runApt(['update']);
    aptUpdated = true;
  }
  runApt(['install', '-y', '--no-install-recommends', ...unique]);
}

/** Installs the package of every binary that is missing. */
export function ensureDebianPackages(checks: BinaryCheck[]): void {
  installDebianPackages(checks.filter((check) => !hasBinary(check.binary)).map((check) => check.pkg));
}

/**
 * PostgreSQL's server programs are not on PATH on Debian; they live in one directory per
 * major version. Returns the newest one, installing the `postgresql` package if there is none.
 */
export function postgresBinDir(): string {
  let dir = newestPostgresBinDir();
  if (dir === undefined) {
    installDebianPackages(['postgresql']);
    dir = newestPostgresBinDir();
  }
  if (dir === undefined) throw new Error(`No PostgreSQL found under ${POSTGRES_ROOT}/<version>/bin`);
  return dir;
}

function newestPostgresBinDir(): string | undefined {
  if (!existsSync(POSTGRES_ROOT)) return undefined;
  const versions = readdirSync(POSTGRES_ROOT)
    .filter((name) => /^\d+(\.\d+)?$/.test(name) && hasBinary(join(POSTGRES_ROOT, name, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] === undefined ? undefined : join(POSTGRES_ROOT, versions[0], 'bin');
}

function runApt(args: string[]): void {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) throw new Error(`apt-get ${args.join(' ')} could not run: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`apt-get ${args.join(' ')} failed with exit code ${result.status}`);
}
