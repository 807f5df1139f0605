// Who may call src/routes/admin/event-exports.ts: admins only.
import { describe } from 'vitest';
import { useAuthorizationApp } from '../support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from '../support/authorization/matrix.ts';
import { ADMIN_EVENT_EXPORTS_ROWS } from '../support/authorization/rows/admin/event-exports.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(ADMIN_EVENT_EXPORTS_ROWS);
});
