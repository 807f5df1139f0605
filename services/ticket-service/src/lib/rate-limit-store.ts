// @fastify/rate-limit's Redis store, with one difference: the counts asked during
// one turn of the event loop go to Redis as one pipeline (lib/turn-pipeline.ts).
// Every purchase and hold is counted (ordersPerUser, holdsPerUser), so in a surge
// this is a command per request. The counting itself is the library's: its own
// scripts (defined on the client by its RedisStore), keys, windows and answers.
import { createRequire } from 'node:module';
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { createTurnPipeline } from './turn-pipeline.ts';

type Answer = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Answer) => void;
/** Settings the library hands its stores beyond its declared options. */
type Flags = { continueExceeding?: boolean; exponentialBackoff?: boolean };

// The library's store is CommonJS and not in its type declarations: loaded only
// so that it defines its two scripts (rateLimit, rateLimitRead) on the client.
const require = createRequire(import.meta.url);
const LibraryRedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
) => unknown;

/**
 * The store class for @fastify/rate-limit's `store` option. Keys are the
 * library's: `<nameSpace><method><url>-<key>` (a limiter made by createRateLimit
 * has no route: `undefinedundefined`).
 */
export function turnBatchedRedisStore(redis: Redis, nameSpace: string) {
  new LibraryRedisStore(false, false, redis);
  const turn = createTurnPipeline(redis);
  const answer = (sent: Promise<unknown>, callback: Callback) =>
    sent.then(
      (value) => {
        // (Checked, not assumed: a throw here would leave the request waiting.)
        if (!Array.isArray(value) || value.length < 2) {
          callback(new Error(`unexpected answer from the rate-limit script: ${JSON.stringify(value)}`));
          return;
        }
        callback(null, { current: Number(value[0]), ttl: Number(value[1]) });
      },
      (error: Error) => callback(error),
    );

  return class TurnBatchedRedisStore implements FastifyRateLimitStore {
    private readonly continueExceeding: boolean;
    private readonly exponentialBackoff: boolean;
    private readonly prefix: string;
    constructor(options: FastifyRateLimitOptions, prefix = nameSpace) {
      const flags = options as Flags;
      this.continueExceeding = flags.continueExceeding ?? false;
      this.exponentialBackoff = flags.exponentialBackoff ?? false;
      this.prefix = prefix;
    }

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      const args = [this.prefix + key, timeWindow, max, this.continueExceeding, this.exponentialBackoff];
      answer(turn.send('rateLimit', args), callback);
    }

    /** A count without adding one (`{ increment: false }`). */
    read(key: string, callback: Callback): void {
      answer(turn.send('rateLimitRead', [this.prefix + key]), callback);
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]) {
      // The library passes the limiter's merged settings with `routeInfo` (its
      // declarations say route options): read as it does in its own store.
      const merged = routeOptions as unknown as Flags & { routeInfo: { method?: string; url?: string } };
      const { method, url } = merged.routeInfo;
      return new TurnBatchedRedisStore(merged as FastifyRateLimitOptions, `${this.prefix}${method}${url}-`);
    }
  };
}
