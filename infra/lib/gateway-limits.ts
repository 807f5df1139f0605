// The gateway's per-address limits (README, "Rate limits"): a backstop in front of
// the service's own limits, generous enough for many buyers behind one address (a
// carrier's NAT during an on-sale), tight enough that one address cannot flood the
// replicas. Each is multiplied by TICKETS_RATE_LIMIT_FACTOR, like the service's.
//
// gateway/nginx.conf.template takes them as {{placeholders}} (this file renders
// them for the local cluster); the container gateway computes the same numbers
// at start in gateway/container/16-tickets-rate-limits.envsh, from the same base
// values (deploy/test/nginx.test.ts checks that they agree).

export interface GatewayLimit {
  /** Before the factor. */
  base: number;
  /** The environment variable the container's entrypoint step exports for envsubst. */
  env: string;
  /** The most nginx accepts, whatever the factor. */
  max?: number;
}

// nginx refuses a connection limit of 65536 or more ("connection limit must be less 65536").
const CONNECTIONS_MAX = 65535;

export const GATEWAY_LIMITS = {
  // API requests per second per address (leaky bucket), and the burst let through at once.
  apiRatePerSecond: { base: 50, env: 'TICKETS_GATEWAY_API_RATE' },
  apiBurst: { base: 200, env: 'TICKETS_GATEWAY_API_BURST' },
  // Login, signup and password change per minute per address: each costs a password hash.
  authRatePerMinute: { base: 60, env: 'TICKETS_GATEWAY_AUTH_RATE' },
  authBurst: { base: 30, env: 'TICKETS_GATEWAY_AUTH_BURST' },
  // Requests in progress at once per address (HTTP/2 streams count one each), streams aside.
  requestsPerAddress: { base: 200, env: 'TICKETS_GATEWAY_REQUESTS', max: CONNECTIONS_MAX },
  // Open seat streams per address (each holds a connection to a replica for its lifetime).
  streamsPerAddress: { base: 50, env: 'TICKETS_GATEWAY_STREAMS', max: CONNECTIONS_MAX },
} as const satisfies Record<string, GatewayLimit>;

export type GatewayLimitName = keyof typeof GATEWAY_LIMITS;

/** Each limit times the factor: rounded, at least 1 (as the service scales its own), at most its max. */
export function gatewayLimits(factor: number): Record<GatewayLimitName, number> {
  if (!(Number.isFinite(factor) && factor > 0))
    throw new Error(`rate-limit factor ${factor} is not a positive number`);
  const limits: [string, GatewayLimit][] = Object.entries(GATEWAY_LIMITS);
  return Object.fromEntries(
    limits.map(([name, limit]) => [
      name,
      Math.min(limit.max ?? Number.POSITIVE_INFINITY, Math.max(1, Math.round(limit.base * factor))),
    ]),
  ) as Record<GatewayLimitName, number>;
}

/**
 * TICKETS_RATE_LIMIT_FACTOR as the cluster command reads it: a positive number
 * (whole or decimal), 1 when unset. The service reads the same variable (config.ts).
 */
export function rateLimitFactor(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TICKETS_RATE_LIMIT_FACTOR?.trim() || '1';
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) <= 0) {
    throw new Error(`TICKETS_RATE_LIMIT_FACTOR must be a positive number, such as 1 or 1000, not "${raw}"`);
  }
  return Number(raw);
}
