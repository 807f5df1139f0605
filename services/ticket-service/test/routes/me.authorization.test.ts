// Who may call src/routes/me.ts: any signed-in user, for their own account.
import { describe } from 'vitest';
import { useAuthorizationApp } from './support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from './support/authorization/matrix.ts';
import { ME_ROWS } from './support/authorization/rows/me.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(ME_ROWS);
});
