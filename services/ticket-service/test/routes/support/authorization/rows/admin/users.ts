// src/routes/admin/users.ts: admins only.
import { uniqueEmail } from '@tickets/testkit/app';
import { expect } from 'vitest';
import { app } from '../../app.ts';
import { PASSWORD } from '../../fixtures.ts';
import type { Row } from '../../matrix.ts';

export const ADMIN_USERS_ROWS: Row[] = [
  {
    method: 'POST',
    route: '/admin/users',
    access: 'admin',
    success: 201,
    prepare: async () => {
      const email = uniqueEmail('made');
      return {
        url: '/admin/users',
        payload: { email, password: PASSWORD, name: 'Made', role: 'admin' },
        unchanged: async () => expect(await app.db.user.count({ where: { email } })).toBe(0),
      };
    },
  },
];
