// A rate-limit store that fails lets requests through and counts the failures.
import { buildTestApp } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { a, LIMITS, newAddress, signupFrom, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('when the rate-limit store fails', () => {
  it('then requests are let through (not 500) and the failures are counted', async () => {
    // The first Redis master holds the counts; here it is an address nobody listens on.
    const { redisUrls } = a.config;
    const app = await buildTestApp({
      ...LIMITS,
      replicaId: 'limits-no-store',
      redisUrls: ['redis://127.0.0.1:9', ...redisUrls.slice(1)],
    });
    try {
      const address = newAddress();
      for (let i = 0; i < 4; i++) expect((await signupFrom(app, address)).statusCode).toBe(201);
      const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      const errors = Number(/^tickets_rate_limit_store_errors_total (\d+)/m.exec(metrics)?.[1]);
      expect(errors).toBeGreaterThanOrEqual(4);
    } finally {
      await app.close();
    }
  });
});
