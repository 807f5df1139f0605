import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrls: string[];
  }
}

export interface TestServices {
  /** The shared test Postgres, migrated; each test makes its own data (or its own database). */
  databaseUrl: string;
  /** Three independent Redis servers, as the Redlock quorum expects. */
  redisUrls: string[];
}

/** The servers the global setup started for this run. */
export function testServices(): TestServices {
  const databaseUrl = inject('databaseUrl') ?? process.env.DATABASE_URL;
  const redisUrls = inject('redisUrls') ?? process.env.REDIS_URLS?.split(',');
  if (!databaseUrl || !redisUrls?.length) {
    throw new Error('No test services: run the tests through vitest so its global setup starts them.');
  }
  return { databaseUrl, redisUrls };
}
