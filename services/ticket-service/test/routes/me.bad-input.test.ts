// Bad input on POST /me/password (src/routes/me.ts): always 400 problem+json naming the
// field, and the password and the tokens stay as they were.
import { describe } from 'vitest';
import { useBadInputApp } from './support/bad-input/app.ts';
import { itRefusesBadBodies } from './support/bad-input/bodies.ts';
import { type BodyCase, bodyCase, omit } from './support/bad-input/body-cases.ts';

useBadInputApp();

const CASES: BodyCase[] = [
  bodyCase('password', 'a number for newPassword', (v) => ({ ...v, newPassword: 123456789 }), [
    'newPassword',
  ]),
  bodyCase('password', 'null for currentPassword', (v) => ({ ...v, currentPassword: null }), [
    'currentPassword',
  ]),
  bodyCase('password', 'no currentPassword', (v) => omit(v, 'currentPassword'), ['currentPassword']),
  bodyCase('password', 'a 7-character newPassword', (v) => ({ ...v, newPassword: 'short12' }), [
    'newPassword',
  ]),
];

describe('bad request bodies', () => {
  itRefusesBadBodies(['password'], CASES);
});
