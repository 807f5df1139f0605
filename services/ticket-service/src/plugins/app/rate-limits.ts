// Per-client rate limits shared by every replica (README, "Rate limits"): login
// per account and per address, signup and password change per address, holds and
// orders per user. Counted by @fastify/rate-limit with its Redis store's scripts
// on one master, the first of REDIS_URLS, so that every replica counts in the
// same place (the three masters are independent: counting on each would give
// three limits); the counts of one turn of the event loop go as one pipeline
// (lib/rate-limit-store.ts).
//
// A store that does not answer lets the request through, with a warning: this
// master going down must cost the limits, not the sale. Redlock goes on selling
// with the other two masters, and refusing every purchase here would turn a
// tolerated failure into an outage; meanwhile the gateway's per-address limits
// still hold back a flood. (A hung master costs each check at most
// REDIS_COMMAND_TIMEOUT_MS; a closed one fails at once, as it has no offline queue.)
//
// Each limit is a fixed window (`<count>/<window>` in config.ts) multiplied by
// TICKETS_RATE_LIMIT_FACTOR. Routes take them as hooks; a refusal is the error
// handler's 429 RATE_LIMITED with Retry-After, the seconds left in the window.
import { createHash } from 'node:crypto';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { normalizeEmail } from '../../domain/accounts/user-view.ts';
import { AppError } from '../../domain/errors.ts';
import { turnBatchedRedisStore } from '../../lib/rate-limit-store.ts';
import { parseRateSpec, scaled } from '../../lib/rate-spec.ts';

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
type Limiter = ReturnType<FastifyInstance['createRateLimit']>;
type Outcome = Awaited<ReturnType<Limiter>>;

export interface RateLimits {
  loginPerAddress: Hook;
  signupPerAddress: Hook;
  passwordChangePerAddress: Hook;
  holdsPerUser: Hook;
  /** One-step purchases and orders of holds, together. */
  ordersPerUser: Hook;
  /**
   * Failed logins per account (the email asked for, known or not). Only failures
   * count, so that a buyer's own retries of a login that timed out or met a 503
   * never lock them out: `check` (a preHandler: it needs the body) refuses once the
   * window holds the limit's failures; `count` (an onError hook) adds one for each
   * wrong email or password. Concurrent guesses may pass `check` together, so the
   * bound is the limit plus the guesses in flight, which the per-address limits
   * and the gateway keep small.
   */
  failedLoginsPerAccount: {
    check: Hook;
    count: (request: FastifyRequest, reply: FastifyReply, error: FastifyError) => Promise<void>;
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimits;
  }
}

// Redis keys are `tickets:rate-limit:undefinedundefined-<limit>:<subject>`: the
// store puts a route's method and URL after the name space, and limiters made by
// createRateLimit have none. Emails are hashed: no address in the key space.
const NAME_SPACE = 'tickets:rate-limit:';
// How often a replica may log that the store is failing; the failures in between are counted.
const STORE_WARNING_INTERVAL_MS = 10_000;

const address = (request: FastifyRequest) => normalizeIP(request.ip);
const userOf = (request: FastifyRequest) => request.user.id;
const accountOf = (request: FastifyRequest) =>
  createHash('sha256')
    .update(normalizeEmail((request.body as { email: string }).email))
    .digest('base64url')
    .slice(0, 22);

export default fp(
  async (app) => {
    const { config, metrics } = app;
    await app.register(rateLimit, {
      global: false,
      store: turnBatchedRedisStore(app.redis[0] as Redis, NAME_SPACE),
      // Errors come back to us (see consult): logged, counted, let through.
      skipOnError: false,
    });

    let lastWarning = 0;
    let unreported = 0;
    const consult = async (
      limiter: Limiter,
      name: string,
      request: FastifyRequest,
      increment = true,
    ): Promise<Outcome | undefined> => {
      try {
        return await limiter(request, { increment });
      } catch (err) {
        metrics.rateLimitStoreErrors.inc();
        unreported++;
        if (Date.now() - lastWarning >= STORE_WARNING_INTERVAL_MS) {
          request.log.warn(
            { err, limit: name, failures: unreported },
            'rate-limit store (the first Redis master) did not answer: requests are let through',
          );
          lastWarning = Date.now();
          unreported = 0;
        }
        return undefined;
      }
    };

    const refuse = (reply: FastifyReply, name: string, ttlMs: number, detail: string): never => {
      metrics.rateLimited.inc({ limit: name });
      reply.header('retry-after', String(Math.max(1, Math.ceil(ttlMs / 1000))));
      throw new AppError('RATE_LIMITED', detail);
    };

    const limiter = (spec: string, name: string, subject: (request: FastifyRequest) => string) => {
      const rate = parseRateSpec(spec);
      return app.createRateLimit({
        max: scaled(rate.max, config.rateLimitFactor),
        timeWindow: rate.windowMs,
        keyGenerator: (request) => `${name}:${subject(request)}`,
      });
    };

    /** A hook that counts every request and refuses those beyond the limit. */
    const everyRequest = (
      spec: string,
      name: string,
      subject: (request: FastifyRequest) => string,
      detail: string,
    ): Hook => {
      const limit = limiter(spec, name, subject);
      return async (request, reply) => {
        const outcome = await consult(limit, name, request);
        if (outcome && !outcome.isAllowed && outcome.isExceeded) refuse(reply, name, outcome.ttl, detail);
      };
    };

    const failedLogins = limiter(config.rateLimitLoginPerAccount, 'login-account', accountOf);

    app.decorate('rateLimits', {
      loginPerAddress: everyRequest(
        config.rateLimitLoginPerAddress,
        'login-address',
        address,
        'Too many logins from this address; retry later.',
      ),
      signupPerAddress: everyRequest(
        config.rateLimitSignupPerAddress,
        'signup-address',
        address,
        'Too many signups from this address; retry later.',
      ),
      passwordChangePerAddress: everyRequest(
        config.rateLimitPasswordChangePerAddress,
        'password-address',
        address,
        'Too many password changes from this address; retry later.',
      ),
      holdsPerUser: everyRequest(
        config.rateLimitHoldsPerUser,
        'holds-user',
        userOf,
        'Too many holds in a short time; retry later.',
      ),
      ordersPerUser: everyRequest(
        config.rateLimitOrdersPerUser,
        'orders-user',
        userOf,
        'Too many purchases in a short time; retry later (with the same Idempotency-Key).',
      ),
      failedLoginsPerAccount: {
        check: async (request, reply) => {
          const outcome = await consult(failedLogins, 'login-account', request, false);
          // A peek: refused once the window holds `max` failures (remaining 0).
          if (outcome && !outcome.isAllowed && outcome.remaining === 0) {
            refuse(
              reply,
              'login-account',
              outcome.ttl,
              'Too many failed logins for this account; retry later.',
            );
          }
        },
        count: async (request, _reply, error) => {
          if (error instanceof AppError && error.code === 'INVALID_CREDENTIALS') {
            await consult(failedLogins, 'login-account', request);
          }
        },
      },
    } satisfies RateLimits);
  },
  { name: 'rate-limits', dependencies: ['config', 'metrics', 'redis'] },
);
