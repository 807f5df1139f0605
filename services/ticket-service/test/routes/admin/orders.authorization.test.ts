// Who may call src/routes/admin/orders.ts: admins only.
import { describe } from 'vitest';
import { useAuthorizationApp } from '../support/authorization/app.ts';
import { itAnswersAsTheRowsAllow } from '../support/authorization/matrix.ts';
import { ADMIN_ORDERS_ROWS } from '../support/authorization/rows/admin/orders.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(ADMIN_ORDERS_ROWS);
});
