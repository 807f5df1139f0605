// The one place that reads the environment. Everything else receives a Config
// (its schema: config/schema.ts; the variables' names: config/env-names.ts; the
// checks across settings: config/checks.ts).
import { hostname } from 'node:os';
import { Value } from 'typebox/value';
import { databaseBoundProblems, secretProblems } from './config/checks.ts';
import { ENV_NAMES } from './config/env-names.ts';
import { type Config, ConfigSchema } from './config/schema.ts';

export { type Config, ConfigSchema };

type Env = Record<string, string | undefined>;

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  return /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
}

function decimal(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  return /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export class ConfigError extends Error {}

/** Builds and validates the configuration; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const leaseSetting = overrides.lockTtlMs ?? int(env.LOCK_TTL_MS, 3000);
  // A bad LOCK_TTL_MS is reported once, not again through the defaults that follow it.
  const lease = Number.isInteger(leaseSetting) ? leaseSetting : 3000;
  const candidate = {
    databaseUrl: env.DATABASE_URL ?? '',
    redisUrls: list(env.REDIS_URLS),
    jwtSecret: env.JWT_SECRET ?? '',
    jwtTtlSeconds: int(env.JWT_TTL_SECONDS, 12 * 3600),
    ticketCodeSecret: env.TICKET_CODE_SECRET || undefined,
    authCacheTtlMs: int(env.AUTH_CACHE_TTL_MS, 30_000),
    authCacheMaxEntries: int(env.AUTH_CACHE_MAX_ENTRIES, 20_000),
    holdTtlSeconds: int(env.HOLD_TTL_SECONDS, 600),
    admissionTtlSeconds: int(env.ADMISSION_TTL_SECONDS, 900),
    eventCacheTtlMs: int(env.EVENT_CACHE_TTL_MS, 30_000),
    holdSweepIntervalMs: int(env.HOLD_SWEEP_INTERVAL_MS, 1000),
    captureSweepIntervalMs: int(env.CAPTURE_SWEEP_INTERVAL_MS, 5000),
    captureGraceMs: int(env.CAPTURE_GRACE_MS, 30_000),
    refundSweepIntervalMs: int(env.REFUND_SWEEP_INTERVAL_MS, 5000),
    webhookSendIntervalMs: int(env.WEBHOOK_SEND_INTERVAL_MS, 1000),
    webhookRetryBaseMs: int(env.WEBHOOK_RETRY_BASE_MS, 5000),
    webhookAllowPrivateTargets: list(env.WEBHOOK_ALLOW_PRIVATE_TARGETS),
    lockTtlMs: int(env.LOCK_TTL_MS, 3000),
    lockClockSkewMs: int(env.LOCK_CLOCK_SKEW_MS, 0),
    purchaseBatchMax: int(env.PURCHASE_BATCH_MAX, 200),
    saleCallMaxRounds: int(env.SALE_CALL_MAX_ROUNDS, 64),
    saleCallsInFlight: int(env.SALE_CALLS_IN_FLIGHT, 1),
    lockHoldMaxMs: int(env.LOCK_HOLD_MAX_MS, 250),
    lockLingerMs: int(env.LOCK_LINGER_MS, 1000),
    lockQueueWaitMs: int(env.LOCK_QUEUE_WAIT_MS, 2000),
    lockQueueMax: int(env.LOCK_QUEUE_MAX, 2000),
    seatViewMaxAgeMs: int(env.SEAT_VIEW_MAX_AGE_MS, 5000),
    replicaId: env.REPLICA_ID || `${hostname()}-${process.pid}`,
    host: env.HOST || '127.0.0.1',
    port: int(env.PORT, 3000),
    logLevel: env.LOG_LEVEL || 'info',
    logBufferBytes: int(env.LOG_BUFFER_BYTES, 4096),
    dbPoolSize: int(env.DB_POOL_SIZE, 10),
    dbConnectTimeoutMs: int(env.DB_CONNECT_TIMEOUT_MS, 5000),
    // These follow the lease unless set (why: plugins/external/prisma.ts).
    dbStatementTimeoutMs: int(env.DB_STATEMENT_TIMEOUT_MS, Math.max(5000, lease)),
    dbLockTimeoutMs: int(env.DB_LOCK_TIMEOUT_MS, Math.floor(lease / 3)),
    dbIdleInTransactionTimeoutMs: int(env.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS, lease),
    redisCommandTimeoutMs: int(env.REDIS_COMMAND_TIMEOUT_MS, 500),
    bodyLimitBytes: int(env.BODY_LIMIT_BYTES, 256 * 1024),
    trustProxy: env.TRUST_PROXY || '127.0.0.1,::1',
    // Why these numbers: README, "Rate limits".
    rateLimitFactor: decimal(env.TICKETS_RATE_LIMIT_FACTOR, 1),
    rateLimitLoginPerAccount: env.RATE_LIMIT_LOGIN_PER_ACCOUNT || '10/15m',
    rateLimitLoginPerAddress: env.RATE_LIMIT_LOGIN_PER_ADDRESS || '60/1m',
    rateLimitSignupPerAddress: env.RATE_LIMIT_SIGNUP_PER_ADDRESS || '30/1h',
    rateLimitPasswordChangePerAddress: env.RATE_LIMIT_PASSWORD_CHANGE_PER_ADDRESS || '10/15m',
    rateLimitHoldsPerUser: env.RATE_LIMIT_HOLDS_PER_USER || '30/1m',
    rateLimitOrdersPerUser: env.RATE_LIMIT_ORDERS_PER_USER || '30/1m',
    seatStreamsMax: int(env.SEAT_STREAMS_MAX, 5000),
    allowWeakSecrets: ['1', 'true'].includes(env.TICKETS_ALLOW_WEAK_SECRETS ?? ''),
    adminEmail: env.TICKETS_ADMIN_EMAIL || undefined,
    adminPassword: env.TICKETS_ADMIN_PASSWORD || undefined,
    shutdownGraceMs: int(env.SHUTDOWN_GRACE_MS, 10_000),
    ...overrides,
  };
  if (!Value.Check(ConfigSchema, candidate)) {
    const problems = [...Value.Errors(ConfigSchema, candidate)].map((e) => {
      const key = e.instancePath.split('/')[1] as keyof Config;
      return `${ENV_NAMES[key] ?? key} ${e.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const config = candidate as Config;
  const problems = [...databaseBoundProblems(config), ...secretProblems(config)];
  if (problems.length) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** For commands that only talk to the database (migrate, create-admin). */
export function loadDatabaseConfig(env: Env = process.env): { databaseUrl: string; replicaId: string } {
  const databaseUrl = env.DATABASE_URL ?? '';
  if (!databaseUrl) throw new ConfigError('invalid configuration: DATABASE_URL must be set');
  return { databaseUrl, replicaId: env.REPLICA_ID || `cli-${hostname()}` };
}
