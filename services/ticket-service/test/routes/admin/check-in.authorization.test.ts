// Who may call src/routes/admin/check-in.ts: the door, admins and staff, nobody else.
import { describe } from 'vitest';
import { useAuthorizationApp } from '../support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from '../support/authorization/matrix.ts';
import { ADMIN_CHECK_IN_ROWS } from '../support/authorization/rows/admin/check-in.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(ADMIN_CHECK_IN_ROWS);
});
