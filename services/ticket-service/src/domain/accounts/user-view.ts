import type { User } from '../../generated/prisma/client.ts';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export function userView(u: Pick<User, 'id' | 'email' | 'name' | 'role' | 'createdAt'>) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt.toISOString() };
}

export type UserView = ReturnType<typeof userView>;

/** Prisma's unique-constraint violation. */
export const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === 'P2002';
