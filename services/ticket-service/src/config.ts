// The one place that reads the environment. Everything else receives a Config.
import { hostname } from 'node:os';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { RATE_SPEC_PATTERN } from './lib/rate-spec.ts';
import { ADMIN_PASSWORD_RULE, JWT_SECRET_RULE, weakSecretProblem } from './lib/weak-secrets.ts';

// `<count>/<window>`, e.g. 10/15m (lib/rate-spec.ts).
const Rate = Type.String({ pattern: RATE_SPEC_PATTERN });

const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
);

export const ConfigSchema = Type.Object({
  databaseUrl: Type.String({ minLength: 1 }),
  // Three independent Redis masters: Redlock needs a majority of them.
  redisUrls: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  jwtSecret: Type.String({ minLength: 16 }),
  jwtTtlSeconds: Type.Integer({ minimum: 60 }),
  // Keys the ticket codes (domain/tickets/ticket-code.ts); JWT_SECRET when not set.
  ticketCodeSecret: Type.Optional(Type.String({ minLength: 16 })),
  // Longest a replica trusts its cached copy of a user's auth row when a change
  // notification is lost (see plugins/app/auth.ts); 0 reads the row on every request.
  authCacheTtlMs: Type.Integer({ minimum: 0 }),
  authCacheMaxEntries: Type.Integer({ minimum: 1 }),
  holdTtlSeconds: Type.Integer({ minimum: 1 }),
  // How long a waiting room's admission lasts, from the moment it is due; the
  // Admission-Token expires with it (README, "Waiting room").
  admissionTtlSeconds: Type.Integer({ minimum: 60 }),
  // Longest a replica trusts its copy of an event's sales settings (salesStartAt,
  // waiting room) when a change notification is lost; see plugins/app/waiting-room.ts.
  eventCacheTtlMs: Type.Integer({ minimum: 0 }),
  // How often each replica looks for expired holds to release.
  holdSweepIntervalMs: Type.Integer({ minimum: 50 }),
  // How often each replica looks for orders whose capture was lost, and how old
  // such an order must be (younger ones are left to the request capturing them).
  captureSweepIntervalMs: Type.Integer({ minimum: 50 }),
  captureGraceMs: Type.Integer({ minimum: 0 }),
  // How often each replica looks for cancelled orders whose refund is due (README,
  // "Cancellations and refunds"), and for webhook deliveries to send ("Webhooks").
  refundSweepIntervalMs: Type.Integer({ minimum: 50 }),
  webhookSendIntervalMs: Type.Integer({ minimum: 10 }),
  // A failed webhook delivery's first retry after this long, each next one twice as late (at most 1 h).
  webhookRetryBaseMs: Type.Integer({ minimum: 10 }),
  // Which kinds of non-public webhook targets are allowed: any of 'loopback',
  // 'private', 'link-local', or 'all'; none by default.
  webhookAllowPrivateTargets: Type.Array(
    Type.Union([
      Type.Literal('loopback'),
      Type.Literal('private'),
      Type.Literal('link-local'),
      Type.Literal('all'),
    ]),
  ),
  // Lease of the per-event Redlock; work starts only while a third remains.
  lockTtlMs: Type.Integer({ minimum: 100 }),
  // Fault injection only (npm run loadtest -- faults): this replica believes
  // every lease it holds ends this much later than it does, as a replica whose
  // clock runs behind would. The Postgres fence must still stop its writes.
  lockClockSkewMs: Type.Integer(),
  // Most one-step purchases sold together in one transaction (group commit).
  purchaseBatchMax: Type.Integer({ minimum: 1, maximum: 1000 }),
  // Rounds of different events written in one call (domain/purchase/sale-writer.ts):
  // most rounds per call, and calls on their way at once.
  saleCallMaxRounds: Type.Integer({ minimum: 1, maximum: 1000 }),
  saleCallsInFlight: Type.Integer({ minimum: 1, maximum: 100 }),
  // Longest one lock hold keeps serving its queue before letting others in.
  lockHoldMaxMs: Type.Integer({ minimum: 1 }),
  // How long a hold keeps its lock after its queue ran empty, for this replica's
  // next requests of the event (another replica that wants the lock ends it).
  lockLingerMs: Type.Integer({ minimum: 0 }),
  // An event's queue on one replica: longest wait and most waiting requests;
  // beyond either the answer is an immediate 503 with Retry-After.
  lockQueueWaitMs: Type.Integer({ minimum: 1 }),
  lockQueueMax: Type.Integer({ minimum: 1 }),
  // Longest a replica's in-memory seat view (used only to refuse early) goes
  // without a full reload, whatever the seat feed delivered.
  seatViewMaxAgeMs: Type.Integer({ minimum: 100 }),
  replicaId: Type.String({ minLength: 1 }),
  host: Type.String(),
  port: Type.Integer({ minimum: 0, maximum: 65535 }),
  logLevel: LogLevel,
  dbPoolSize: Type.Integer({ minimum: 1, maximum: 500 }),
  // Bounds on every wait for PostgreSQL, set on each pooled session (see
  // plugins/external/prisma.ts for how they relate to the lock's lease).
  dbConnectTimeoutMs: Type.Integer({ minimum: 1 }),
  dbStatementTimeoutMs: Type.Integer({ minimum: 1 }),
  dbLockTimeoutMs: Type.Integer({ minimum: 1 }),
  dbIdleInTransactionTimeoutMs: Type.Integer({ minimum: 1 }),
  // Longest any Redis command is awaited; a hung master costs no more than this.
  redisCommandTimeoutMs: Type.Integer({ minimum: 10 }),
  bodyLimitBytes: Type.Integer({ minimum: 1024 }),
  // Addresses whose X-Forwarded-* headers are believed (the gateway only).
  trustProxy: Type.String(),
  // Per-client limits, counted in Redis so that every replica shares them (README,
  // "Rate limits"); each is multiplied by rateLimitFactor when applied, as the
  // gateway's are, so that one setting lifts them all for load tests.
  rateLimitFactor: Type.Number({ exclusiveMinimum: 0 }),
  rateLimitLoginPerAccount: Rate,
  rateLimitLoginPerAddress: Rate,
  rateLimitSignupPerAddress: Rate,
  rateLimitPasswordChangePerAddress: Rate,
  rateLimitHoldsPerUser: Rate,
  rateLimitOrdersPerUser: Rate,
  // Most open seat streams on one replica (a bound on its memory, so not scaled by
  // the factor); beyond it 503. The gateway caps them per address too.
  seatStreamsMax: Type.Integer({ minimum: 1 }),
  // Placeholder or weak JWT_SECRET and admin password are refused unless this is
  // set: the local development cluster and the tests set it (README, "Secrets").
  allowWeakSecrets: Type.Boolean(),
  adminEmail: Type.Optional(Type.String()),
  adminPassword: Type.Optional(Type.String()),
  // Time to let in-flight requests finish on SIGTERM before closing anyway.
  shutdownGraceMs: Type.Integer({ minimum: 0 }),
});

export type Config = Static<typeof ConfigSchema>;

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

const ENV_NAMES: Record<keyof Config, string> = {
  databaseUrl: 'DATABASE_URL',
  redisUrls: 'REDIS_URLS',
  jwtSecret: 'JWT_SECRET',
  jwtTtlSeconds: 'JWT_TTL_SECONDS',
  ticketCodeSecret: 'TICKET_CODE_SECRET',
  authCacheTtlMs: 'AUTH_CACHE_TTL_MS',
  authCacheMaxEntries: 'AUTH_CACHE_MAX_ENTRIES',
  holdTtlSeconds: 'HOLD_TTL_SECONDS',
  admissionTtlSeconds: 'ADMISSION_TTL_SECONDS',
  eventCacheTtlMs: 'EVENT_CACHE_TTL_MS',
  holdSweepIntervalMs: 'HOLD_SWEEP_INTERVAL_MS',
  captureSweepIntervalMs: 'CAPTURE_SWEEP_INTERVAL_MS',
  captureGraceMs: 'CAPTURE_GRACE_MS',
  refundSweepIntervalMs: 'REFUND_SWEEP_INTERVAL_MS',
  webhookSendIntervalMs: 'WEBHOOK_SEND_INTERVAL_MS',
  webhookRetryBaseMs: 'WEBHOOK_RETRY_BASE_MS',
  webhookAllowPrivateTargets: 'WEBHOOK_ALLOW_PRIVATE_TARGETS',
  lockTtlMs: 'LOCK_TTL_MS',
  lockClockSkewMs: 'LOCK_CLOCK_SKEW_MS',
  purchaseBatchMax: 'PURCHASE_BATCH_MAX',
  saleCallMaxRounds: 'SALE_CALL_MAX_ROUNDS',
  saleCallsInFlight: 'SALE_CALLS_IN_FLIGHT',
  lockHoldMaxMs: 'LOCK_HOLD_MAX_MS',
  lockLingerMs: 'LOCK_LINGER_MS',
  lockQueueWaitMs: 'LOCK_QUEUE_WAIT_MS',
  lockQueueMax: 'LOCK_QUEUE_MAX',
  seatViewMaxAgeMs: 'SEAT_VIEW_MAX_AGE_MS',
  replicaId: 'REPLICA_ID',
  host: 'HOST',
  port: 'PORT',
  logLevel: 'LOG_LEVEL',
  dbPoolSize: 'DB_POOL_SIZE',
  dbConnectTimeoutMs: 'DB_CONNECT_TIMEOUT_MS',
  dbStatementTimeoutMs: 'DB_STATEMENT_TIMEOUT_MS',
  dbLockTimeoutMs: 'DB_LOCK_TIMEOUT_MS',
  dbIdleInTransactionTimeoutMs: 'DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
  redisCommandTimeoutMs: 'REDIS_COMMAND_TIMEOUT_MS',
  bodyLimitBytes: 'BODY_LIMIT_BYTES',
  trustProxy: 'TRUST_PROXY',
  rateLimitFactor: 'TICKETS_RATE_LIMIT_FACTOR',
  rateLimitLoginPerAccount: 'RATE_LIMIT_LOGIN_PER_ACCOUNT',
  rateLimitLoginPerAddress: 'RATE_LIMIT_LOGIN_PER_ADDRESS',
  rateLimitSignupPerAddress: 'RATE_LIMIT_SIGNUP_PER_ADDRESS',
  rateLimitPasswordChangePerAddress: 'RATE_LIMIT_PASSWORD_CHANGE_PER_ADDRESS',
  rateLimitHoldsPerUser: 'RATE_LIMIT_HOLDS_PER_USER',
  rateLimitOrdersPerUser: 'RATE_LIMIT_ORDERS_PER_USER',
  seatStreamsMax: 'SEAT_STREAMS_MAX',
  allowWeakSecrets: 'TICKETS_ALLOW_WEAK_SECRETS',
  adminEmail: 'TICKETS_ADMIN_EMAIL',
  adminPassword: 'TICKETS_ADMIN_PASSWORD',
  shutdownGraceMs: 'SHUTDOWN_GRACE_MS',
};

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

// Outside the local development cluster and the tests (allowWeakSecrets), a
// secret copied from an example or chosen for a demo would let anyone mint tokens
// or log in as the admin: refuse to start instead, naming the variable.
function secretProblems(c: Config): string[] {
  if (c.allowWeakSecrets) return [];
  const problems = [weakSecretProblem(ENV_NAMES.jwtSecret, c.jwtSecret, JWT_SECRET_RULE)];
  if (c.ticketCodeSecret !== undefined) {
    problems.push(weakSecretProblem(ENV_NAMES.ticketCodeSecret, c.ticketCodeSecret, JWT_SECRET_RULE));
  }
  if (c.adminPassword !== undefined) {
    problems.push(weakSecretProblem(ENV_NAMES.adminPassword, c.adminPassword, ADMIN_PASSWORD_RULE));
  }
  return problems.filter((p): p is string => p !== undefined);
}

// The relations plugins/external/prisma.ts relies on: a paused lock holder can
// keep an event's row for at most a lease, and a request waiting for that row
// gives up while its own lease could still be used.
function databaseBoundProblems(c: Config): string[] {
  const problems: string[] = [];
  if (c.dbLockTimeoutMs >= c.lockTtlMs) {
    problems.push(`${ENV_NAMES.dbLockTimeoutMs} must be less than ${ENV_NAMES.lockTtlMs} (${c.lockTtlMs})`);
  }
  if (c.dbIdleInTransactionTimeoutMs > c.lockTtlMs) {
    problems.push(
      `${ENV_NAMES.dbIdleInTransactionTimeoutMs} must be at most ${ENV_NAMES.lockTtlMs} (${c.lockTtlMs})`,
    );
  }
  if (c.dbStatementTimeoutMs <= c.dbLockTimeoutMs) {
    problems.push(
      `${ENV_NAMES.dbStatementTimeoutMs} must be greater than ${ENV_NAMES.dbLockTimeoutMs} (${c.dbLockTimeoutMs})`,
    );
  }
  return problems;
}

/** For commands that only talk to the database (migrate, create-admin). */
export function loadDatabaseConfig(env: Env = process.env): { databaseUrl: string; replicaId: string } {
  const databaseUrl = env.DATABASE_URL ?? '';
  if (!databaseUrl) throw new ConfigError('invalid configuration: DATABASE_URL must be set');
  return { databaseUrl, replicaId: env.REPLICA_ID || `cli-${hostname()}` };
}
