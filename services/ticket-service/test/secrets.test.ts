// Placeholder and weak secrets are refused at start-up, naming the variable, unless
// TICKETS_ALLOW_WEAK_SECRETS says this is the local development cluster or a test.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { estimatedBits } from '../src/lib/weak-secrets.ts';
import { spawnNode } from './support/processes.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const STRONG_JWT = randomBytes(32).toString('hex');
const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/tickets',
  REDIS_URLS: 'redis://127.0.0.1:6379',
  JWT_SECRET: STRONG_JWT,
};

/** KEY=value lines of a dotenv file. */
function dotenv(path: string): Record<string, string> {
  const pairs = readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null);
  return Object.fromEntries(pairs.map((m) => [m[1], m[2]]));
}

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('secrets at start-up', () => {
  it(".env.example's JWT_SECRET and admin password are refused, each by name", () => {
    const example = dotenv(join(root, '.env.example'));
    const message = refusal({
      ...base,
      JWT_SECRET: example.JWT_SECRET as string,
      TICKETS_ADMIN_PASSWORD: example.TICKETS_ADMIN_PASSWORD as string,
    });
    expect(message).toMatch(/JWT_SECRET looks like a placeholder/);
    expect(message).toMatch(/TICKETS_ADMIN_PASSWORD looks like a placeholder/);
    // The message says how to make a good one, and never repeats the value.
    expect(message).toMatch(/openssl rand/);
    expect(message).not.toContain(example.JWT_SECRET);
  });

  it.each([
    ['the development overlay', 'local-development-only-not-a-secret', /placeholder/],
    ['short', 'k3Jx9QpLm2Vb7Rt4', /too short \(at least 32/],
    ['one repeated character', 'x'.repeat(48), /too little entropy/],
    ['a repeated pattern', '0123456789'.repeat(5), /too little entropy/],
    // 32 random digits carry about 106 bits: too few for a signing key.
    ['32 digits', Array.from(randomBytes(32), (b) => b % 10).join(''), /too little entropy/],
  ])('a JWT_SECRET that is %s is refused', (_what, secret, reason) => {
    const message = refusal({ ...base, JWT_SECRET: secret });
    expect(message).toMatch(/JWT_SECRET/);
    expect(message).toMatch(reason);
  });

  it.each([
    ['a placeholder', 'local admin password', /placeholder/],
    ['short', 'Xq7!pL2m', /too short \(at least 12/],
    ['one repeated character', 'zzzzzzzzzzzzzzzz', /too little entropy/],
  ])('an admin password that is %s is refused', (_what, password, reason) => {
    const message = refusal({ ...base, TICKETS_ADMIN_PASSWORD: password });
    expect(message).toMatch(/TICKETS_ADMIN_PASSWORD/);
    expect(message).toMatch(reason);
  });

  it('random values of the suggested kinds are accepted, every time', () => {
    for (let i = 0; i < 200; i++) {
      const config = loadConfig({
        ...base,
        JWT_SECRET: randomBytes(32).toString(i % 2 ? 'hex' : 'base64'),
        TICKETS_ADMIN_PASSWORD: randomBytes(i % 2 ? 18 : 9).toString('base64'),
      });
      expect(config.allowWeakSecrets).toBe(false);
    }
    // What the local cluster generates (infra/cluster/secrets.ts) passes without the allowance too.
    expect(estimatedBits(randomBytes(32).toString('hex'))).toBeGreaterThan(128);
  });

  it('with TICKETS_ALLOW_WEAK_SECRETS=1 (local cluster, tests) weak values are accepted; 16 characters stay the minimum', () => {
    const weak = { ...base, JWT_SECRET: 'test-secret-that-is-long-enough', TICKETS_ADMIN_PASSWORD: 'admin' };
    expect(loadConfig({ ...weak, TICKETS_ALLOW_WEAK_SECRETS: '1' })).toMatchObject({
      allowWeakSecrets: true,
    });
    expect(() => loadConfig({ ...weak, TICKETS_ALLOW_WEAK_SECRETS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, JWT_SECRET: 'short', TICKETS_ALLOW_WEAK_SECRETS: '1' })).toThrow(
      /JWT_SECRET/,
    );
  });

  it('a replica started with a placeholder secret exits 2 and names the variable', async () => {
    const replica = spawnNode('src/server.ts', [], {
      ...base,
      JWT_SECRET: 'change-me-to-a-long-random-string',
      // The test run allows weak secrets (global setup); this replica must not inherit that.
      TICKETS_ALLOW_WEAK_SECRETS: '',
    });
    expect(await replica.exited).toBe(2);
    expect(replica.output()).toMatch(/invalid configuration: JWT_SECRET looks like a placeholder/);
  });
});
