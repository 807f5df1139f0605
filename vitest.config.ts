import { defineConfig } from 'vitest/config';

// One run for the whole repository. Real PostgreSQL and Redis are started once by
// the global setup and shared; each test makes its own data.
export default defineConfig({
  test: {
    include: [
      'services/*/test/**/*.test.ts',
      'infra/test/**/*.test.ts',
      'loadtests/test/**/*.test.ts',
      'deploy/test/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
    ],
    globalSetup: ['packages/testkit/src/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
