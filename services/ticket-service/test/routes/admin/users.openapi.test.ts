// The OpenAPI document on the routes of src/routes/admin/users.ts, and their real answers.
import { uniqueEmail } from '@tickets/testkit/app';
import { describe, it } from 'vitest';
import { expectSuccessesMatch } from '../support/openapi/answers.ts';
import { CONTRACT_BY_MODULE } from '../support/openapi/contract.ts';
import { itDocumentsTheContract } from '../support/openapi/contract-tests.ts';
import { admin, useOpenApiApp } from '../support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.adminUsers);
});

describe('real answers match the document', () => {
  it('when each documented route answers successfully, then the body matches its documented schema', async () => {
    await expectSuccessesMatch([
      [
        'POST /admin/users',
        '/admin/users',
        { email: uniqueEmail('doc'), password: 'long enough', name: 'D', role: 'customer' },
        admin,
      ],
    ]);
  });
});
