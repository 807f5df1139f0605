// What a valid configuration is: every setting, its type and bounds, and why it
// exists. config.ts builds one from the environment and checks it against this.
import { type Static, Type } from 'typebox';
import { RATE_SPEC_PATTERN } from '../lib/rate-spec.ts';

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
  // The log's lines are gathered up to this many bytes (and for at most 100 ms,
  // server-options.ts) before one write; 0 writes each line as it comes. Below
  // the log writer's largest single write (16 KiB).
  logBufferBytes: Type.Integer({ minimum: 0, maximum: 16_383 }),
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
