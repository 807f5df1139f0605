// src/routes/admin/audit.ts: admins only.
import type { Row } from '../../matrix.ts';

export const ADMIN_AUDIT_ROWS: Row[] = [
  {
    method: 'GET',
    route: '/admin/audit',
    access: 'admin',
    success: 200,
    prepare: async () => ({ url: '/admin/audit?limit=5' }),
  },
];
