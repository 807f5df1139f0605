// Who may call src/routes/admin/event-image.ts: admins only.
import { describe } from 'vitest';
import { useAuthorizationApp } from '../support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from '../support/authorization/matrix.ts';
import { ADMIN_EVENT_IMAGE_ROWS } from '../support/authorization/rows/admin/event-image.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(ADMIN_EVENT_IMAGE_ROWS);
});
