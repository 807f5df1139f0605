import { bearer, buildTestApp, signup, uniqueEmail } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('accounts', () => {
  it('when a customer signs up, then they get a token and a customer account', async () => {
    const email = uniqueEmail();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password: 'long enough', name: 'Ada' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-replica-id']).toBe('test-replica');
    const body = res.json();
    expect(body.user).toMatchObject({ email, name: 'Ada', role: 'customer' });
    expect(body.user).not.toHaveProperty('passwordHash');
    const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(body) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(body.user);
  });

  it('when signup asks for the admin role, then it is refused and nothing is created', async () => {
    const email = uniqueEmail();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password: 'long enough', name: 'Mallory', role: 'admin' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(await app.db.user.count({ where: { email } })).toBe(0);
  });

  it('when the email is taken (any case), then signup answers 409 EMAIL_TAKEN', async () => {
    const user = await signup(app);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email: user.email.toUpperCase(), password: 'long enough', name: 'Twin' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'EMAIL_TAKEN', status: 409 });
  });

  it('when the password is too short, then signup answers 400 with the field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email: uniqueEmail(), password: 'short', name: 'Bo' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('body/password');
  });

  it('when logging in with a wrong password or unknown email, then both answer the same 401', async () => {
    const user = await signup(app);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: 'not the password' },
    });
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: uniqueEmail(), password: 'not the password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().code).toBe('INVALID_CREDENTIALS');
  });

  it('when the password changes, then old tokens are rejected and the new password works', async () => {
    const user = await signup(app);
    const change = await app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: bearer(user),
      payload: { currentPassword: user.password, newPassword: 'a brand new secret' },
    });
    expect(change.statusCode).toBe(204);
    const old = await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user) });
    expect(old.statusCode).toBe(401);
    expect(old.json().code).toBe('UNAUTHENTICATED');
    const relogin = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: user.email, password: 'a brand new secret' },
    });
    expect(relogin.statusCode).toBe(200);
    const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(relogin.json()) });
    expect(me.statusCode).toBe(200);
  });

  it('when the current password is wrong, then the change is refused and the old token still works', async () => {
    const user = await signup(app);
    const change = await app.inject({
      method: 'POST',
      url: '/api/v1/me/password',
      headers: bearer(user),
      payload: { currentPassword: 'wrong wrong', newPassword: 'a brand new secret' },
    });
    expect(change.statusCode).toBe(401);
    expect(change.json().code).toBe('INVALID_CREDENTIALS');
    const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user) });
    expect(me.statusCode).toBe(200);
  });

  it('when a token is forged or garbage, then /me answers 401', async () => {
    for (const token of ['garbage', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwidHYiOjB9.bad']) {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
  });
});
