// Who may call src/routes/auth.ts: anyone may sign up and log in.
import { describe } from 'vitest';
import { useAuthorizationApp } from './support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from './support/authorization/matrix.ts';
import { AUTH_ROWS } from './support/authorization/rows/auth.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(AUTH_ROWS);
});
