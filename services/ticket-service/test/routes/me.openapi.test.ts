// The OpenAPI document on the routes of src/routes/me.ts, and their real answers.
import { bearer, signup } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { API_PREFIX } from '../support/routes.ts';
import { expectErrorsMatch, expectSuccessesMatch } from './support/openapi/answers.ts';
import { CONTRACT_BY_MODULE } from './support/openapi/contract.ts';
import { itDocumentsTheContract } from './support/openapi/contract-tests.ts';
import { app, useOpenApiApp } from './support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.me);
});

describe('real answers match the document', () => {
  it('when each documented route answers successfully, then the body matches its documented schema', async () => {
    const customer = await signup(app, 'openapi');
    await expectSuccessesMatch([['GET /me', '/me', undefined, customer]]);
    // The 204 of the password change has no body at all.
    const change = await app.inject({
      method: 'POST',
      url: `${API_PREFIX}/me/password`,
      headers: bearer(customer),
      payload: { currentPassword: customer.password, newPassword: 'another long secret' },
    });
    expect(change.statusCode).toBe(204);
    expect(change.body).toBe('');
  });

  it('when routes answer with errors, then each problem matches the documented error schema', async () => {
    await expectErrorsMatch([['GET /me', 401, 'GET', '/me', undefined, null]]);
  });
});
