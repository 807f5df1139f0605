// Signup and password-change limits per address, counted across replicas.
import { bearer, type TestUser, uniqueEmail } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  a,
  b,
  customer,
  expectRateLimited,
  from,
  newAddress,
  signupFrom,
  useTwoReplicas,
} from './support.ts';

useTwoReplicas();

describe('signup and password change', () => {
  it('when one address signs up more often than its limit, across replicas, then the next signup is 429 and creates nobody', async () => {
    const address = newAddress();
    expect((await signupFrom(a, address)).statusCode).toBe(201);
    expect((await signupFrom(b, address)).statusCode).toBe(201);
    const email = uniqueEmail('refused');
    const refused = await signupFrom(a, address, email);
    expectRateLimited(refused, 3600);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    expect(await a.db.user.count({ where: { email } })).toBe(0);
    expect((await signupFrom(a, newAddress())).statusCode).toBe(201);
  });

  it('when one address changes passwords more often than its limit, then it is 429', async () => {
    const address = newAddress();
    const change = (app: FastifyInstance, user: TestUser) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/me/password',
        headers: { ...bearer(user), ...from(address) },
        payload: { currentPassword: user.password, newPassword: 'another long password' },
      });
    expect((await change(a, await customer())).statusCode).toBe(204);
    expectRateLimited(await change(b, await customer()), 15 * 60);
  });
});
