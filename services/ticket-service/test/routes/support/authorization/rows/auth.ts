// src/routes/auth.ts: anyone may sign up and log in.
import { signup, uniqueEmail } from '@tickets/testkit/app';
import { app } from '../app.ts';
import { PASSWORD } from '../fixtures.ts';
import type { Row } from '../matrix.ts';

export const AUTH_ROWS: Row[] = [
  {
    method: 'POST',
    route: '/auth/signup',
    access: 'public',
    success: 201,
    prepare: async () => ({
      url: '/auth/signup',
      payload: { email: uniqueEmail('signup'), password: PASSWORD, name: 'S' },
    }),
  },
  {
    method: 'POST',
    route: '/auth/login',
    access: 'public',
    success: 200,
    prepare: async () => {
      const user = await signup(app, 'login');
      return { url: '/auth/login', payload: { email: user.email, password: user.password } };
    },
  },
];
