import type { PrismaClient } from '../generated/prisma/client.ts';

/** Who is acting, for the operation log. */
export interface Actor {
  id: string | null;
  email: string;
}

/** What every domain function needs from the outside world, as plain values. */
export interface DomainContext {
  db: PrismaClient;
  replica: string;
}

export const SYSTEM: Actor = { id: null, email: 'system' };
