// @fastify/rate-limit's Redis store, with one difference: the counts asked during
// one turn of the event loop go to Redis together, as one pipeline.
//
// Why: every purchase and hold is counted (ordersPerUser, holdsPerUser), and in a
// surge one replica answers thousands of them per second. The library's store
// sends each count as its own command, and on this product's machines a socket
// write that wakes another process (here Redis) is the costliest thing a request
// does: the hot replica's CPU profile during `hot-event` had the count's write at
// about a tenth of its busy time. A pipeline is one write however many counts it
// carries. The counting itself is unchanged: the library's own scripts (defined
// on the client by its RedisStore, so the keys, windows and answers are the
// library's), each count its own command in the pipeline with its own answer or
// error, and every command still bounded by the client's commandTimeout.
//
// Not ioredis's enableAutoPipelining, which does the same for every command: it
// throws outside any promise when a pipelined command times out (see
// plugins/external/redis.ts). Here a pipeline's failure is each count's error.
import { createRequire } from 'node:module';
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Redis } from 'ioredis';

type Answer = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Answer) => void;
type Script = 'rateLimit' | 'rateLimitRead';
interface Ask {
  script: Script;
  args: (string | number | boolean)[];
  callback: Callback;
}
/** Settings the library hands its stores beyond its declared options. */
type Flags = { continueExceeding?: boolean; exponentialBackoff?: boolean };
type ScriptPipeline = Record<Script, (...args: (string | number | boolean)[]) => unknown> & {
  exec(): Promise<[Error | null, unknown][] | null>;
};

// The library's store is CommonJS and not in its type declarations: loaded only
// so that it defines its two scripts on the client.
const require = createRequire(import.meta.url);
const LibraryRedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
) => unknown;

// A bound on one pipeline's size: a turn of the event loop rarely asks more.
const MAX_PER_PIPELINE = 1_000;

/** Sends what is asked during one turn of the event loop as one pipeline. */
class TurnPipeline {
  private asked: Ask[] = [];
  private readonly redis: Redis;
  constructor(redis: Redis) {
    this.redis = redis;
    new LibraryRedisStore(false, false, redis);
  }

  ask(script: Script, args: Ask['args'], callback: Callback): void {
    if (this.asked.push({ script, args, callback }) === 1) setImmediate(() => this.flush());
  }

  private flush(): void {
    const asked = this.asked;
    this.asked = [];
    for (let i = 0; i < asked.length; i += MAX_PER_PIPELINE) this.send(asked.slice(i, i + MAX_PER_PIPELINE));
  }

  private send(asked: Ask[]): void {
    const pipeline = this.redis.pipeline() as unknown as ScriptPipeline;
    for (const a of asked) pipeline[a.script](...a.args);
    pipeline.exec().then(
      (results) => {
        for (const [i, a] of asked.entries()) {
          const [error, value] = results?.[i] ?? [new Error('no answer in the pipeline')];
          if (error) a.callback(error);
          else {
            const [current, ttl] = value as [number, number];
            a.callback(null, { current, ttl });
          }
        }
      },
      (error: Error) => {
        for (const a of asked) a.callback(error);
      },
    );
  }
}

/**
 * The store class for @fastify/rate-limit's `store` option. Keys are the
 * library's: `<nameSpace><method><url>-<key>` (a limiter made by createRateLimit
 * has no route: `undefinedundefined`).
 */
export function turnBatchedRedisStore(redis: Redis, nameSpace: string) {
  const turn = new TurnPipeline(redis);
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
      turn.ask(
        'rateLimit',
        [this.prefix + key, timeWindow, max, this.continueExceeding, this.exponentialBackoff],
        callback,
      );
    }

    /** A count without adding one (`{ increment: false }`). */
    read(key: string, callback: Callback): void {
      turn.ask('rateLimitRead', [this.prefix + key], callback);
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
