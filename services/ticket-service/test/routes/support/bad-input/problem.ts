// What every refusal must look like: RFC 9457 problem+json with a stable code, and
// nothing of the service's insides (stack traces, file names, SQL) in the body.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { StreamAnswer } from '../../../support/routes.ts';

/** What the assertions below read from an answer: app.inject's, or a real request's. */
export type Answer = Pick<LightMyRequestResponse, 'statusCode' | 'body' | 'json'> & {
  headers: Record<string, unknown>;
};

/** A real HTTP answer (the event stream cannot be injected), seen as an Answer. */
export function answerOf(res: StreamAnswer): Answer {
  return {
    statusCode: res.status,
    body: res.body,
    headers: Object.fromEntries(res.headers.entries()),
    json: () => JSON.parse(res.body),
  };
}

/** Asserts the RFC 9457 shape every error must have, with no internals leaking. */
export function expectProblem(res: Answer, status: number, code: string, opts: { errors?: boolean } = {}) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toMatchObject({ status, code });
  for (const field of ['type', 'title', 'detail', 'code'] as const)
    expect(typeof body[field], field).toBe('string');
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  if (code === 'VALIDATION_FAILED' && opts.errors !== false) {
    expect(Array.isArray(body.errors), 'errors[]').toBe(true);
    expect(body.errors.length).toBeGreaterThan(0);
    for (const e of body.errors)
      expect(typeof e.path === 'string' && typeof e.message === 'string').toBe(true);
  }
  expectNoInternals(res);
  return body;
}

export function expectNoInternals(res: Answer) {
  expect(res.body).not.toMatch(
    /"stack"|\n\s+at\s|\bat .+:\d+:\d+|node_modules|\.ts:\d+|prisma\.|PrismaClient|SELECT |Error:/,
  );
}

/** The fields a VALIDATION_FAILED problem names, as one string to look for a field in. */
export function namedFields(body: { errors: { path: string; field?: string }[] }): string {
  return body.errors.map((e) => `${e.path} ${e.field ?? ''}`).join(' | ');
}
