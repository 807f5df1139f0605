// The replica's log: one line per request, written when it is answered, with the
// problem code of a refusal (a failure, 5xx, also gets a line with its error:
// not tested here). In a surge most answers are refusals, so a second line per
// refusal would double the log's writes.
import { Writable } from 'node:stream';
import { buildTestApp } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.ts';

const lines: Record<string, unknown>[] = [];
let server: FastifyInstance;

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  server = await buildTestApp(
    { replicaId: 'log-test', logLevel: 'info' as Config['logLevel'] },
    { logStream },
  );
});

afterAll(async () => {
  await server?.close();
});

// The request's completion lines; and any line of the request that is not one
// (another component may log a warning with the request id, e.g. a slow store).
const linesOf = (requestId: string) =>
  lines.filter((l) => l.reqId === requestId && l.msg === 'request completed');
const rejectionLinesOf = (requestId: string) =>
  lines.filter((l) => l.reqId === requestId && l.msg === 'request rejected');

describe('the request log', () => {
  it('when a request is refused, then its one line carries the problem code', async () => {
    const res = await server.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'x-request-id': 'log-refused' },
      payload: { email: 'nobody@example.test', password: 'not the password' },
    });
    expect(res.statusCode).toBe(401);
    const mine = linesOf('log-refused');
    expect(mine).toHaveLength(1);
    expect(rejectionLinesOf('log-refused')).toEqual([]);
    expect(mine[0]).toMatchObject({
      msg: 'request completed',
      code: 'INVALID_CREDENTIALS',
      replica: 'log-test',
      res: { statusCode: 401 },
    });
  });

  it('when a request succeeds, then its one line has no problem code', async () => {
    const res = await server.inject({
      method: 'GET',
      url: '/api/v1/events',
      headers: { 'x-request-id': 'log-served' },
    });
    expect(res.statusCode).toBe(200);
    const mine = linesOf('log-served');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ msg: 'request completed', res: { statusCode: 200 } });
    expect(mine[0]).not.toHaveProperty('code');
  });

  it('when no route matches, then its one line carries NOT_FOUND', async () => {
    await server.inject({ method: 'GET', url: '/api/v1/nowhere', headers: { 'x-request-id': 'log-404' } });
    expect(linesOf('log-404')).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
  });
});
