// Tokens that must never count (src/plugins/app/auth.ts): expired, forged, unsigned or
// tampered with, of a deleted user, or not a bearer token at all; each is 401, never 403,
// 200 or 500.
import { createAdmin, signup, testConfig } from '@tickets/testkit/app';
import { describe, expect, it, vi } from 'vitest';
import { app, useAuthorizationApp } from '../../routes/support/authorization/app.ts';
import { API_PREFIX, hs256 } from '../../support/routes.ts';

useAuthorizationApp();

describe('tokens that do not count', () => {
  const me = (token: string) =>
    app.inject({
      method: 'GET',
      url: `${API_PREFIX}/me`,
      headers: { authorization: `Bearer ${token}` },
    });
  const adminEvents = (token: string) =>
    app.inject({
      method: 'GET',
      url: `${API_PREFIX}/admin/events`,
      headers: { authorization: `Bearer ${token}` },
    });
  const claims = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, number>;

  function expectUnauthenticated(res: Awaited<ReturnType<typeof me>>) {
    expect(res.statusCode, res.body).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  }

  it('when a token is signed by hand with the real secret, then it is accepted (control for the cases below)', async () => {
    const user = await signup(app, 'control');
    const now = Math.floor(Date.now() / 1000);
    const token = hs256({ sub: user.id, tv: 0, iat: now, exp: now + 60 }, testConfig().jwtSecret);
    const res = await me(token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().id).toBe(user.id);
  });

  it('when a token outlives its 1-second lifetime, then it is 401 UNAUTHENTICATED', async () => {
    const user = await signup(app, 'short');
    const token = app.jwt.sign({ sub: user.id, tv: 0 }, { expiresIn: 1 });
    expect((await me(token)).statusCode).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 5_000);
      expectUnauthenticated(await me(token));
    } finally {
      vi.useRealTimers();
    }
  });

  it('when a token was issued and expired in the past, then it is 401 UNAUTHENTICATED', async () => {
    const user = await signup(app, 'old');
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    // The signer's configured lifetime wins over an `exp` claim, so the past is set through `iat`.
    const token = app.jwt.sign({ sub: user.id, tv: 0, iat: hourAgo } as never, { expiresIn: 60 });
    expect(claims(token).exp).toBeLessThan(Date.now() / 1000);
    expectUnauthenticated(await me(token));
    const past = Math.floor(Date.now() / 1000) - 60;
    expectUnauthenticated(
      await me(hs256({ sub: user.id, tv: 0, iat: past - 60, exp: past }, testConfig().jwtSecret)),
    );
  });

  it('when an admin token has expired, then an admin route answers 401, not 403 or 200', async () => {
    const admin = await createAdmin(app);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const token = app.jwt.sign({ sub: admin.id, tv: 0, iat: hourAgo } as never, { expiresIn: 60 });
    expectUnauthenticated(await adminEvents(token));
  });

  it('when a login token is 11 hours old it still works, and at 12 hours and a minute it is 401', async () => {
    const user = await signup(app, 'ttl');
    expect(app.config.jwtTtlSeconds).toBe(12 * 3600);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.now();
      vi.setSystemTime(start + 11 * 3600_000);
      expect((await me(user.token)).statusCode).toBe(200);
      vi.setSystemTime(start + 12 * 3600_000 + 60_000);
      expectUnauthenticated(await me(user.token));
    } finally {
      vi.useRealTimers();
    }
  });

  it('when the user of a valid token has been deleted, then the token is 401 UNAUTHENTICATED', async () => {
    const user = await signup(app, 'deleted');
    expect((await me(user.token)).statusCode).toBe(200);
    await app.db.user.delete({ where: { id: user.id } });
    // Replicas cache the row; whatever deletes a user must say so after COMMIT, as
    // every change to the row must (otherwise the copy lasts up to AUTH_CACHE_TTL_MS).
    app.domain.userChanged(user.id);
    expectUnauthenticated(await me(user.token));
  });

  it('when an admin is deleted, then their token no longer opens admin routes', async () => {
    const admin = await createAdmin(app);
    expect((await adminEvents(admin.token)).statusCode).toBe(200);
    await app.db.user.delete({ where: { id: admin.id } });
    app.domain.userChanged(admin.id);
    expectUnauthenticated(await adminEvents(admin.token));
  });

  it('when a token is signed with another secret, then it is 401 UNAUTHENTICATED', async () => {
    const admin = await createAdmin(app);
    const now = Math.floor(Date.now() / 1000);
    const forged = hs256(
      { sub: admin.id, tv: 0, iat: now, exp: now + 600 },
      'another-secret-that-is-long-enough',
    );
    expectUnauthenticated(await me(forged));
    expectUnauthenticated(await adminEvents(forged));
  });

  it('when a token is unsigned (alg none) or tampered with, then it is 401 UNAUTHENTICATED', async () => {
    const customer = await signup(app, 'tamper');
    const admin = await createAdmin(app);
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    expectUnauthenticated(
      await adminEvents(`${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: admin.id, tv: 0, iat: now })}.`),
    );
    // The customer's real signature on a payload that names the admin.
    const [head, , signature] = customer.token.split('.');
    expectUnauthenticated(
      await adminEvents(`${head}.${enc({ ...claims(customer.token), sub: admin.id })}.${signature}`),
    );
  });

  it('when the Authorization header is not a bearer token, then /me is 401 UNAUTHENTICATED', async () => {
    const user = await signup(app, 'header');
    for (const authorization of [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer ',
      `Token ${user.token}`,
      user.token,
    ]) {
      const res = await app.inject({
        method: 'GET',
        url: `${API_PREFIX}/me`,
        headers: { authorization },
      });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
  });

  // Regression, fixed (src/plugins/app/auth.ts, authenticate): a correctly signed token whose `sub` is not a
  // uuid (or is missing) reaches Prisma's findUnique, which throws, and the answer is 500 INTERNAL.
  // Only someone holding JWT_SECRET can mint such a token, so the impact is small.
  it('when a correctly signed token names no valid user id, then it is 401, not 500', async () => {
    for (const payload of [{ sub: 'not-a-uuid', tv: 0 }, { tv: 0 }]) {
      expectUnauthenticated(await me(app.jwt.sign(payload as never)));
    }
  });
});
