// Bad input on POST /auth/signup and /auth/login (src/routes/auth.ts): always a 4xx
// problem+json with a stable code, never a 5xx, a stack trace or a change to the data.
import { describe, expect, it } from 'vitest';
import { API, app, JSON_TYPE, useBadInputApp } from './support/bad-input/app.ts';
import { itRefusesBadBodies, itRefusesNulCharacters } from './support/bad-input/bodies.ts';
import { type BodyCase, bodyCase, omit } from './support/bad-input/body-cases.ts';
import { BODY_ROUTES, type BodyRoute } from './support/bad-input/body-routes.ts';
import { expectProblem } from './support/bad-input/problem.ts';
import { subjectFor, usersMarked } from './support/bad-input/subjects.ts';

useBadInputApp();

const CASES: BodyCase[] = [
  // wrong types: numbers for strings (never coerced in bodies)
  bodyCase('signup', 'a number for email', (v) => ({ ...v, email: 12345 }), ['email']),
  bodyCase('signup', 'a number for password', (v) => ({ ...v, password: 12345678 }), ['password']),
  bodyCase('signup', 'an object for name', (v) => ({ ...v, name: { first: 'x' } }), ['name']),
  bodyCase('login', 'a number for password', (v) => ({ ...v, password: 12345678 }), ['password']),
  bodyCase('login', 'an array for email', (v) => ({ ...v, email: [v.email] }), ['email']),
  // unknown fields
  bodyCase('signup', 'a role (signup makes customers only)', (v) => ({ ...v, role: 'admin' }), ['role']),
  // missing required fields
  bodyCase('signup', 'no password', (v) => omit(v, 'password'), ['password']),
  bodyCase('signup', 'no email', (v) => omit(v, 'email'), ['email']),
  bodyCase('login', 'no password', (v) => omit(v, 'password'), ['password']),
  // out-of-range and malformed values
  bodyCase('signup', 'a 7-character password', (v) => ({ ...v, password: '1234567' }), ['password']),
  bodyCase('signup', 'an email without @', (v) => ({ ...v, email: 'not-an-email' }), ['email']),
  bodyCase('signup', 'an empty name', (v) => ({ ...v, name: '' }), ['name']),
  bodyCase('signup', 'a 121-character name', (v) => ({ ...v, name: `${v.name}${'n'.repeat(121)}` }), [
    'name',
  ]),
  bodyCase('login', 'an empty password', (v) => ({ ...v, password: '' }), ['password']),
];

describe('bad request bodies', () => {
  itRefusesBadBodies(['signup', 'login'], CASES);

  it('when a body is just under the limit, then it is read and judged on its content (400, not 413)', async () => {
    const route: BodyRoute = BODY_ROUTES.signup;
    const subject = await subjectFor(route);
    const payload = JSON.stringify({ ...route.valid(subject), name: 'n'.repeat(200 * 1024) });
    const res = await app.inject({
      method: 'POST',
      url: `${API}/auth/signup`,
      headers: JSON_TYPE,
      payload,
    });
    const body = expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(body.errors.map((e: { path: string }) => e.path)).toContain('body/name');
    expect(await usersMarked(subject)).toBe(0);
  });

  // Regression, fixed (src/plugins/app/error-handler.ts, toProblem: the generic 4xx branch): bodies Fastify
  // cannot parse (malformed JSON, an empty JSON body, a forbidden __proto__ key, an unsupported
  // content type) answer VALIDATION_FAILED without the `errors` array API.md promises for that
  // code.
  it('when a body cannot be parsed, then the VALIDATION_FAILED problem still has errors[]', async () => {
    for (const payload of ['{"email":', '']) {
      const res = await app.inject({
        method: 'POST',
        url: `${API}/auth/login`,
        headers: JSON_TYPE,
        payload,
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
    }
  });
});

describe('values that pass the schema but not the database', () => {
  // Regression, fixed (no guard anywhere between the schemas in @tickets/contract and Prisma): a
  // string containing U+0000 passes every Type.String() schema, and Postgres refuses NUL bytes in
  // text, so the request fails as 500 INTERNAL.
  itRefusesNulCharacters([
    [
      'POST /auth/signup',
      '/auth/signup',
      (m: string) => ({ email: `${m}@example.test`, password: 'long enough', name: `a\u0000${m}` }),
    ],
    [
      'POST /auth/login',
      '/auth/login',
      (m: string) => ({ email: `${m}\u0000@example.test`, password: 'long enough' }),
    ],
  ]);
});
