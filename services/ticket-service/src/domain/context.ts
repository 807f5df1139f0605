import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

/** Either the client or a transaction of it: what a query that may run in either takes. */
export type Db = PrismaClient | Prisma.TransactionClient;

/** Who is acting, for the operation log. */
export interface Actor {
  id: string | null;
  email: string;
}

/** What every domain function needs from the outside world, as plain values. */
export interface DomainContext {
  db: PrismaClient;
  replica: string;
  /**
   * To be called after COMMIT by anything that changes an existing user's email,
   * role or token version: every replica caches those for authentication.
   */
  userChanged(userId: string): void;
}

export const SYSTEM: Actor = { id: null, email: 'system' };
