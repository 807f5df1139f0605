// The OpenAPI document on the routes of src/routes/orders.ts (its answers are read in holds.openapi.test.ts,
// where a hold's order and a one-step purchase are made in one flow).
import { describe } from 'vitest';
import { CONTRACT_BY_MODULE } from './support/openapi/contract.ts';
import { itDocumentsTheContract } from './support/openapi/contract-tests.ts';
import { useOpenApiApp } from './support/openapi/document.ts';

useOpenApiApp();

describe('the OpenAPI document', () => {
  itDocumentsTheContract(CONTRACT_BY_MODULE.orders);
});
