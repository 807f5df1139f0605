// Who may call src/routes/admin/events.ts: admins only.
import { describe } from 'vitest';
import { useAuthorizationApp } from '../support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from '../support/authorization/matrix.ts';
import { ADMIN_EVENTS_ROWS } from '../support/authorization/rows/admin/events.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(ADMIN_EVENTS_ROWS);
});
