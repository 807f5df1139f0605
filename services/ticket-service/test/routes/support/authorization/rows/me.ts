// src/routes/me.ts: any signed-in user, for their own account.
import type { Row } from '../matrix.ts';

export const ME_ROWS: Row[] = [
  { method: 'GET', route: '/me', access: 'customer', success: 200, prepare: async () => ({ url: '/me' }) },
  {
    method: 'POST',
    route: '/me/password',
    access: 'customer',
    success: 204,
    prepare: async (caller) => ({
      url: '/me/password',
      payload: {
        currentPassword: caller?.password ?? 'no password at all',
        newPassword: 'a brand new secret',
      },
    }),
  },
];
