// Bad input on POST /admin/users (src/routes/admin/users.ts): always 400 problem+json
// naming the field, and no user is made.
import { describe } from 'vitest';
import { useBadInputApp } from '../support/bad-input/app.ts';
import { itRefusesBadBodies, itRefusesNulCharacters } from '../support/bad-input/bodies.ts';
import { type BodyCase, bodyCase, omit } from '../support/bad-input/body-cases.ts';

useBadInputApp();

const CASES: BodyCase[] = [
  bodyCase('createUser', 'a number for role', (v) => ({ ...v, role: 1 }), ['role']),
  bodyCase('createUser', 'a number for name', (v) => ({ ...v, name: 7 }), ['name']),
  bodyCase('createUser', 'no role', (v) => omit(v, 'role'), ['role']),
  bodyCase('createUser', 'an unknown role', (v) => ({ ...v, role: 'superuser' }), ['role']),
  bodyCase('createUser', 'a 7-character password', (v) => ({ ...v, password: 'short12' }), ['password']),
];

describe('bad request bodies', () => {
  itRefusesBadBodies(['createUser'], CASES);
});

describe('values that pass the schema but not the database', () => {
  itRefusesNulCharacters([
    [
      'POST /admin/users',
      '/admin/users',
      (m: string) => ({
        email: `${m}@example.test`,
        password: 'long enough',
        name: `\u0000${m}`,
        role: 'admin',
      }),
    ],
  ]);
});
