// One error handler for the whole service: every error leaves as problem+json
// (RFC 9457) with a stable code, and a 5xx never carries internal detail. The
// code goes into the request's one log line (replica.ts); a 5xx adds a line
// with the error.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, TITLES } from '../../domain/errors.ts';
import { isUnavailable } from '../../lib/unavailable.ts';

interface ProblemDoc {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extra: string]: unknown;
}

function problem(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): ProblemDoc {
  return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, code, ...extra };
}

export function toProblem(err: FastifyError | AppError | Error): ProblemDoc {
  if (err instanceof AppError) return problem(err.status, err.code, err.message, err.extra);
  const fe = err as FastifyError;
  if (fe.validation) {
    const errors = fe.validation.map((v) => ({
      path: `${fe.validationContext ?? ''}${v.instancePath}`,
      message: v.message ?? 'invalid',
      ...(v.params && 'additionalProperty' in v.params ? { field: v.params.additionalProperty } : {}),
      ...(v.params && 'missingProperty' in v.params ? { field: v.params.missingProperty } : {}),
    }));
    return problem(400, 'VALIDATION_FAILED', 'The request is not valid.', { errors });
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return problem(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
  }
  if (fe.code?.startsWith('FST_JWT') || fe.statusCode === 401) {
    return problem(401, 'UNAUTHENTICATED', 'A valid bearer token is required.');
  }
  if (fe.statusCode === 429) {
    return problem(429, 'RATE_LIMITED', 'Too many requests; retry later.');
  }
  if (fe.statusCode === 404) return problem(404, 'NOT_FOUND', 'Not found.');
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Malformed JSON, an empty body, a wrong content type, a bad URL: all bad input.
    return problem(400, 'VALIDATION_FAILED', fe.message, {
      errors: [{ path: fe.code?.startsWith('FST_ERR_CTP') ? 'body' : 'url', message: fe.message }],
    });
  }
  if (isUnavailable(err)) {
    return problem(503, 'UNAVAILABLE', 'A dependency is unavailable; retry with the same Idempotency-Key.');
  }
  return problem(500, 'INTERNAL', 'An unexpected error occurred.');
}

declare module 'fastify' {
  interface FastifyReply {
    /** The problem code this reply answers with, for the request's log line. */
    problemCode: string | null;
  }
}

export function sendProblem(reply: FastifyReply, doc: ProblemDoc): FastifyReply {
  reply.problemCode = doc.code;
  if (doc.status === 503) reply.header('retry-after', '1');
  return reply.code(doc.status).type('application/problem+json').send(doc);
}

export default fp(
  async (app: FastifyInstance) => {
    app.decorateReply('problemCode', null);
    app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const doc = toProblem(err);
      // A refusal's code is in the request's line; only failures get their own.
      if (doc.status >= 500) request.log.error({ err }, 'request failed');
      return sendProblem(reply, doc);
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(
        reply,
        problem(404, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`),
      ),
    );
  },
  { name: 'error-handler' },
);
