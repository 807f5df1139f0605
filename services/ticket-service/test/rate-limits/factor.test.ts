// TICKETS_RATE_LIMIT_FACTOR scales every limit.
import { buildTestApp, createEvent } from '@tickets/testkit/app';
import { hold } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import {
  admin,
  customer,
  expectRateLimited,
  LIMITS,
  newAddress,
  signupFrom,
  useTwoReplicas,
} from './support.ts';

useTwoReplicas();

describe('TICKETS_RATE_LIMIT_FACTOR', () => {
  it('when the factor is 3, then every limit is three times as high', async () => {
    const app = await buildTestApp({ ...LIMITS, rateLimitFactor: 3, replicaId: 'limits-x3' });
    try {
      const address = newAddress();
      for (let i = 0; i < 6; i++) expect((await signupFrom(app, address)).statusCode).toBe(201);
      expectRateLimited(await signupFrom(app, address), 3600);
      const buyer = await customer(app);
      const event = await createEvent(app, admin);
      for (let i = 0; i < 3; i++)
        expect((await hold(app, buyer, event.id, { quantity: 1 })).statusCode).toBe(201);
      expectRateLimited(await hold(app, buyer, event.id, { quantity: 1 }), 60);
    } finally {
      await app.close();
    }
  });
});
