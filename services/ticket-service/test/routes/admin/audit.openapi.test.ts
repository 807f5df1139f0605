// The OpenAPI document on the routes of src/routes/admin/audit.ts, and their real answers.
import { describe, it } from 'vitest';
import { expectSuccessesMatch } from '../support/openapi/answers.ts';
import { CONTRACT_BY_MODULE } from '../support/openapi/contract.ts';
import { itDocumentsTheContract } from '../support/openapi/contract-tests.ts';
import { admin, useOpenApiApp } from '../support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.adminAudit);
});

describe('real answers match the document', () => {
  it('when each documented route answers successfully, then the body matches its documented schema', async () => {
    await expectSuccessesMatch([['GET /admin/audit', '/admin/audit?limit=20', undefined, admin]]);
  });
});
