// Who may call src/routes/admin/webhooks.ts: admins only.
import { describe } from 'vitest';
import { useAuthorizationApp } from '../support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from '../support/authorization/matrix.ts';
import { ADMIN_WEBHOOKS_ROWS } from '../support/authorization/rows/admin/webhooks.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(ADMIN_WEBHOOKS_ROWS);
});
