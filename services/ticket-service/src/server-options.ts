// Fastify's own options, shared by server.ts and the tests so both build the
// same server.
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.ts';

export function serverOptions(config: Config): FastifyServerOptions {
  return {
    logger: {
      level: config.logLevel,
      base: { replica: config.replicaId },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    // The gateway generates the request id at the edge; a direct caller gets one here.
    requestIdHeader: 'x-request-id',
    trustProxy: config.trustProxy.split(',').map((s) => s.trim()),
    bodyLimit: config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  };
}
