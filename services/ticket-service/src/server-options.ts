// Fastify's own options, shared by server.ts and the tests so both build the
// same server.
import { type FastifyServerOptions, LogController } from 'fastify';
import pino, { type DestinationStream } from 'pino';
import type { Config } from './config.ts';
import { sendProblem, toProblem } from './plugins/app/error-handler.ts';

/** `logStream`: where the log goes (server.ts: logDestination; tests: their own); pino's default otherwise. */
export function serverOptions(config: Config, logStream?: DestinationStream): FastifyServerOptions {
  return {
    logger: {
      level: config.logLevel,
      base: { replica: config.replicaId },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      ...(logStream ? { stream: logStream } : {}),
    },
    // One line per request (plugins/app/replica.ts), not Fastify's two: at a
    // surge's rate each line costs its serialization and its share of the log's
    // writes (logDestination, below).
    logController: new LogController({ disableRequestLogging: true }),
    // The gateway generates the request id at the edge; a direct caller gets one here.
    requestIdHeader: 'x-request-id',
    trustProxy: config.trustProxy.split(',').map((s) => s.trim()),
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
    // Errors the router raises before any hook runs (bad URL encoding, an
    // over-long parameter) still leave as problem+json naming the replica.
    frameworkErrors: (error, _request, reply) => {
      reply.header('x-replica-id', config.replicaId);
      return sendProblem(reply, toProblem(error));
    },
  };
}

/** Longest a log line waits in the buffer before it is written. */
export const LOG_FLUSH_MS = 100;

/**
 * The replica's log on standard output. Each line written as it came was one
 * write on libuv's thread pool and its dispatch from the event loop: 6-7 % of a
 * replica's CPU in a spread sale (2026-11-30), where nearly every request is a
 * line. Lines are gathered up to `logBufferBytes` instead, and written at least
 * every LOG_FLUSH_MS and when the process exits (pino flushes its destination
 * then); a replica killed outright loses at most that much of its log.
 */
export function logDestination(config: Pick<Config, 'logBufferBytes'>) {
  return pino.destination({
    dest: 1,
    minLength: config.logBufferBytes,
    periodicFlush: config.logBufferBytes > 0 ? LOG_FLUSH_MS : 0,
  });
}
