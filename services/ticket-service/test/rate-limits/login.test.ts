// Login limits, per account and per address, counted across replicas.
import { describe, expect, it } from 'vitest';
import { a, b, customer, expectRateLimited, loginFrom, newAddress, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('login', () => {
  it('when an account had N−1 wrong passwords on replica A, then the Nth attempt on replica B is 429 with Retry-After, even with the right password', async () => {
    const user = await customer();
    // Three failures (the limit), each from another address: the count is the account's.
    for (let i = 0; i < 3; i++) {
      const wrong = await loginFrom(a, newAddress(), user.email, 'not the password');
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().code).toBe('INVALID_CREDENTIALS');
    }
    const refused = await loginFrom(b, newAddress(), user.email.toUpperCase(), user.password);
    expectRateLimited(refused, 15 * 60);
    expect(refused.json().detail).toMatch(/failed logins for this account/);
    // Another account is not affected.
    const other = await customer(b);
    expect((await loginFrom(b, newAddress(), other.email, other.password)).statusCode).toBe(200);
  });

  it('when a buyer logs in successfully again and again, then nothing counts against the account', async () => {
    const user = await customer();
    for (let i = 0; i < 5; i++) {
      const app = i % 2 ? a : b;
      expect((await loginFrom(app, newAddress(), user.email, user.password)).statusCode).toBe(200);
    }
  });

  it('when one address logs in more often than its limit, across replicas, then it is 429 and other addresses are not', async () => {
    const user = await customer();
    const address = newAddress();
    for (let i = 0; i < 4; i++) {
      const res = await loginFrom(i % 2 ? a : b, address, user.email, user.password);
      expect(res.statusCode).toBe(200);
    }
    expectRateLimited(await loginFrom(a, address, user.email, user.password), 60);
    expect((await loginFrom(b, newAddress(), user.email, user.password)).statusCode).toBe(200);
  });
});
