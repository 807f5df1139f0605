// Tokens verified once are known by their exact text until they expire
// (src/lib/verified-tokens.ts), and authentication takes them from there: an
// expired or altered token is still refused, and revocation still holds.
import { bearer, buildTestApp, changePassword, signup } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifiedTokens } from '../src/lib/verified-tokens.ts';

describe('verified tokens', () => {
  it('when a token is stored, then it is served until its expiry and not after', () => {
    let now = 1_000_000;
    const tokens = createVerifiedTokens<{ sub: string; exp: number }>(10, () => now);
    tokens.store('a', { sub: 'u', exp: 1_010 });
    expect(tokens.get('a')).toEqual({ sub: 'u', exp: 1_010 });
    now = 1_010_000;
    expect(tokens.get('a')).toBeUndefined();
    expect(tokens.size()).toBe(0);
  });

  it('when a payload has no expiry or one already past, then it is not kept', () => {
    const tokens = createVerifiedTokens<{ sub: string; exp?: number }>(10, () => 5_000);
    tokens.store('none', { sub: 'u' });
    tokens.store('past', { sub: 'u', exp: 5 });
    expect(tokens.size()).toBe(0);
  });

  it('when it is full, then the oldest entry goes first', () => {
    const tokens = createVerifiedTokens<{ exp: number }>(2, () => 0);
    tokens.store('a', { exp: 10 });
    tokens.store('b', { exp: 10 });
    tokens.store('c', { exp: 10 });
    expect([tokens.get('a'), tokens.get('b'), tokens.get('c')]).toEqual([
      undefined,
      { exp: 10 },
      { exp: 10 },
    ]);
  });
});

describe('authentication with known tokens', () => {
  let app: FastifyInstance;
  // How often @fastify/jwt was asked to verify a token (counted by a hook that
  // runs before the service's own).
  let jwtVerifications = 0;
  beforeAll(async () => {
    app = await buildTestApp(
      {},
      {
        before: (server) =>
          server.addHook('onRequest', async (request) => {
            const jwtVerify = request.jwtVerify;
            request.jwtVerify = ((...args: Parameters<typeof jwtVerify>) => {
              jwtVerifications++;
              return jwtVerify.apply(request, args);
            }) as typeof jwtVerify;
          }),
      },
    );
  });
  afterAll(async () => {
    await app?.close();
  });
  const orders = (token: string) =>
    app.inject({ method: 'GET', url: '/api/v1/orders', headers: bearer({ token }) });

  it('when a token comes again, then it is not verified again', async () => {
    const user = await signup(app, 'known-token');
    const before = jwtVerifications;
    expect((await orders(user.token)).statusCode).toBe(200);
    const afterFirst = jwtVerifications;
    expect(afterFirst).toBeGreaterThan(before);
    expect((await orders(user.token)).statusCode).toBe(200);
    expect((await orders(user.token)).statusCode).toBe(200);
    expect(jwtVerifications).toBe(afterFirst);
  });

  it('when a known token expires, then it is refused', async () => {
    const user = await signup(app, 'short-token');
    // A token of this user that expires in three seconds (`exp` is in whole
    // seconds: between two and three from now, so the two requests before it
    // have two seconds however busy the machine); the version is the signup's.
    const claims = JSON.parse(Buffer.from(user.token.split('.')[1] as string, 'base64url').toString());
    const token = app.jwt.sign({ sub: claims.sub, tv: claims.tv }, { expiresIn: 3 });
    expect((await orders(token)).statusCode).toBe(200);
    expect((await orders(token)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 3_100));
    const late = await orders(token);
    expect(late.statusCode).toBe(401);
  });

  it('when a known token is altered, then the altered one is refused', async () => {
    const user = await signup(app, 'altered-token');
    expect((await orders(user.token)).statusCode).toBe(200);
    const [head, body, signature] = user.token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await orders(`${head}.${body}.${flipped}`)).statusCode).toBe(401);
    expect((await orders(`${user.token}x`)).statusCode).toBe(401);
  });

  it('when the password changes, then a known token is refused on the same replica', async () => {
    const user = await signup(app, 'revoked-token');
    expect((await orders(user.token)).statusCode).toBe(200);
    expect((await changePassword(app, user)).statusCode).toBe(204);
    expect((await orders(user.token)).statusCode).toBe(401);
  });
});
