// Who may call src/routes/admin/audit.ts: admins only.
import { describe } from 'vitest';
import { useAuthorizationApp } from '../support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from '../support/authorization/matrix.ts';
import { ADMIN_AUDIT_ROWS } from '../support/authorization/rows/admin/audit.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(ADMIN_AUDIT_ROWS);
});
