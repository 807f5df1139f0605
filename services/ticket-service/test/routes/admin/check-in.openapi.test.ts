// The OpenAPI document on the routes of src/routes/admin/check-in.ts.
import { describe } from 'vitest';
import { CONTRACT_BY_MODULE } from '../support/openapi/contract.ts';
import { itDocumentsTheContract } from '../support/openapi/contract-tests.ts';
import { useOpenApiApp } from '../support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.adminCheckIn);
});
