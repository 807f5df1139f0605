// The configuration's bounds on waits: the database limits follow the lock's
// lease unless set, and settings that would break their relations are refused
// by name (see plugins/external/prisma.ts for the reasons).
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const required = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/tickets',
  REDIS_URLS: 'redis://127.0.0.1:6379',
  // Random, as a deployment's must be (weak ones are refused: secrets.test.ts).
  JWT_SECRET: '3f9c0e7a5b18d2c46e0f97a1b3d5c8e2a4f6b7091c3e5d7f8a2b4c6d9e1f3a5b',
};

describe('bounds on waits', () => {
  it('when nothing is set, then they follow the 3 s lease: lock 1 s, idle 3 s, statement 5 s, Redis 500 ms', () => {
    expect(loadConfig(required)).toMatchObject({
      lockTtlMs: 3000,
      dbConnectTimeoutMs: 5000,
      dbLockTimeoutMs: 1000,
      dbIdleInTransactionTimeoutMs: 3000,
      dbStatementTimeoutMs: 5000,
      redisCommandTimeoutMs: 500,
    });
  });

  it('when only the lease is set, in the environment or as an override, then the database limits follow it', () => {
    const longer = {
      dbLockTimeoutMs: 10_000,
      dbIdleInTransactionTimeoutMs: 30_000,
      dbStatementTimeoutMs: 30_000,
    };
    expect(loadConfig({ ...required, LOCK_TTL_MS: '30000' })).toMatchObject(longer);
    expect(loadConfig(required, { lockTtlMs: 30_000 })).toMatchObject(longer);
    expect(loadConfig(required, { lockTtlMs: 600 })).toMatchObject({
      dbLockTimeoutMs: 200,
      dbIdleInTransactionTimeoutMs: 600,
      dbStatementTimeoutMs: 5000,
    });
  });

  it('when they are set, then they are used', () => {
    const env = {
      ...required,
      DB_CONNECT_TIMEOUT_MS: '250',
      DB_LOCK_TIMEOUT_MS: '700',
      DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '2000',
      DB_STATEMENT_TIMEOUT_MS: '8000',
      REDIS_COMMAND_TIMEOUT_MS: '300',
    };
    expect(loadConfig(env)).toMatchObject({
      dbConnectTimeoutMs: 250,
      dbLockTimeoutMs: 700,
      dbIdleInTransactionTimeoutMs: 2000,
      dbStatementTimeoutMs: 8000,
      redisCommandTimeoutMs: 300,
    });
  });

  it.each([
    [{ DB_LOCK_TIMEOUT_MS: '3000' }, /DB_LOCK_TIMEOUT_MS must be less than LOCK_TTL_MS \(3000\)/],
    [
      { DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: '4000' },
      /DB_IDLE_IN_TRANSACTION_TIMEOUT_MS must be at most LOCK_TTL_MS/,
    ],
    [
      { DB_STATEMENT_TIMEOUT_MS: '900' },
      /DB_STATEMENT_TIMEOUT_MS must be greater than DB_LOCK_TIMEOUT_MS \(1000\)/,
    ],
    [{ DB_CONNECT_TIMEOUT_MS: '0' }, /DB_CONNECT_TIMEOUT_MS/],
    [{ REDIS_COMMAND_TIMEOUT_MS: 'soon' }, /REDIS_COMMAND_TIMEOUT_MS/],
    // The log writer's largest single write is 16 KiB: its buffer must stay below it.
    [{ LOG_BUFFER_BYTES: '16384' }, /LOG_BUFFER_BYTES/],
  ])('when %o, then the configuration is refused naming it', (bad, message) => {
    expect(() => loadConfig({ ...required, ...bad })).toThrow(ConfigError);
    expect(() => loadConfig({ ...required, ...bad })).toThrow(message);
  });
});
