// The service's Prometheus metrics, defined once. Each app gets its own registry
// so that several instances in one process (tests) do not collide; the metrics
// plugin (plugins/external/metrics.ts) registers them and serves /metrics.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpInFlight: new Gauge({
      name: 'http_requests_in_flight',
      help: 'Requests this replica is working on (open streams included)',
      registers: [registry],
    }),
    lockAcquireSeconds: new Histogram({
      name: 'tickets_lock_acquire_seconds',
      help: 'Time to acquire a per-event Redlock',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    lockFailures: new Counter({
      name: 'tickets_lock_failures_total',
      help: 'Per-event lock acquisitions that failed, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    purchaseBatchSize: new Histogram({
      name: 'tickets_purchase_batch_size',
      help: 'Purchases sold together in one transaction (one round of a lock hold)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    saleCallRounds: new Histogram({
      name: 'tickets_sale_call_rounds',
      help: 'Purchase rounds (of different events) written together in one database call',
      buckets: [1, 2, 3, 5, 10, 20, 50, 100],
      registers: [registry],
    }),
    purchaseBatchSeconds: new Histogram({
      name: 'tickets_purchase_batch_seconds',
      help: 'Time one batch of purchases took under the lock (read, decide, write)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    lockHoldSeconds: new Histogram({
      name: 'tickets_lock_hold_seconds',
      help: 'Time one hold of an event lock lasted, from acquisition to release',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    fencedRejections: new Counter({
      name: 'tickets_fenced_rejections_total',
      help: 'Transactions rolled back because their lock epoch was stale',
      registers: [registry],
    }),
    holdsCreated: new Counter({
      name: 'tickets_holds_created_total',
      help: 'Holds created',
      registers: [registry],
    }),
    holdsExpired: new Counter({
      name: 'tickets_holds_expired_total',
      help: 'Holds released because their time ran out',
      registers: [registry],
    }),
    holdsActive: new Gauge({
      name: 'tickets_holds_active',
      help: 'Active holds in the database (as of the last sweep of this replica)',
      registers: [registry],
    }),
    orders: new Counter({
      name: 'tickets_orders_total',
      help: 'Purchase attempts by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    seatsSold: new Counter({ name: 'tickets_seats_sold_total', help: 'Seats sold', registers: [registry] }),
    purchaseSeconds: new Histogram({
      name: 'tickets_purchase_duration_seconds',
      help: 'Time to complete a purchase, from request to commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    // What the service sends its dependencies: statements per purchase is the
    // figure that decides throughput (see BENCHMARKS.md), so it is measured.
    dbStatements: new Counter({
      name: 'tickets_db_statements_total',
      help: 'Statements sent to PostgreSQL (BEGIN and COMMIT included)',
      registers: [registry],
    }),
    redisCommands: new Counter({
      name: 'tickets_redis_commands_total',
      help: 'Commands sent to the Redis masters (lock, release, publish; not subscriptions)',
      registers: [registry],
    }),
    idempotentReplays: new Counter({
      name: 'tickets_idempotent_replays_total',
      help: 'Purchase requests answered with the order of an earlier request with the same key',
      registers: [registry],
    }),
    sseSubscribers: new Gauge({
      name: 'tickets_sse_subscribers',
      help: 'Open seat-map streams on this replica',
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'tickets_rate_limited_total',
      help: 'Requests refused 429 by a per-client rate limit, by limit',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    rateLimitStoreErrors: new Counter({
      name: 'tickets_rate_limit_store_errors_total',
      help: 'Rate-limit checks the Redis store could not answer (the request was let through)',
      registers: [registry],
    }),
    seatStreamsRefused: new Counter({
      name: 'tickets_seat_streams_refused_total',
      help: 'Seat streams refused 503 because this replica had SEAT_STREAMS_MAX open',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
