import type { CreateUserBody } from '@tickets/contract/accounts';
import { recordAudit } from '../audit/record.ts';
import type { Actor, DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { hashPassword } from './password.ts';
import { isUniqueViolation, normalizeEmail } from './user-view.ts';

/**
 * Creates a user and logs it. `actor` is who did it: the user themself at signup,
 * an admin for POST /admin/users.
 */
export async function createUser(ctx: DomainContext, input: CreateUserBody, actor: Actor | 'self') {
  const email = normalizeEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await ctx.db.$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email, name: input.name.trim(), passwordHash, role: input.role },
      });
      await recordAudit(tx, ctx.replica, {
        actor: actor === 'self' ? { id: user.id, email } : actor,
        action: actor === 'self' ? 'user.signup' : 'user.create',
        subject: `user:${user.id}`,
        detail: { email, role: user.role },
      });
      return user;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new AppError('EMAIL_TAKEN', 'An account with this email already exists.');
    throw err;
  }
}
