// The OpenAPI document on the routes of src/routes/auth.ts, and their real answers.
import { signup, uniqueEmail } from '@tickets/testkit/app';
import { describe, it } from 'vitest';
import { expectErrorsMatch, expectSuccessesMatch } from './support/openapi/answers.ts';
import { CONTRACT_BY_MODULE } from './support/openapi/contract.ts';
import { itDocumentsTheContract } from './support/openapi/contract-tests.ts';
import { app, useOpenApiApp } from './support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.auth);
});

describe('real answers match the document', () => {
  it('when each documented route answers successfully, then the body matches its documented schema', async () => {
    const customer = await signup(app, 'openapi');
    await expectSuccessesMatch([
      [
        'POST /auth/signup',
        '/auth/signup',
        { email: uniqueEmail('doc'), password: 'long enough', name: 'Doc' },
        null,
      ],
      ['POST /auth/login', '/auth/login', { email: customer.email, password: customer.password }, null],
    ]);
  });

  it('when routes answer with errors, then each problem matches the documented error schema', async () => {
    const customer = await signup(app, 'openapi-errors');
    await expectErrorsMatch([
      [
        'POST /auth/signup',
        409,
        'POST',
        '/auth/signup',
        { email: customer.email, password: 'long enough', name: 'X' },
        null,
      ],
      [
        'POST /auth/login',
        401,
        'POST',
        '/auth/login',
        { email: customer.email, password: 'wrong password' },
        null,
      ],
      [
        'POST /auth/login',
        413,
        'POST',
        '/auth/login',
        { email: customer.email, password: 'x'.repeat(300 * 1024) },
        null,
      ],
    ]);
  });
});
