import { recordAudit } from '../audit/record.ts';
import type { Actor, DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { hashPassword, verifyPassword } from './password.ts';

/**
 * Replaces the password and bumps the token version, which revokes every token
 * issued before, including the one used for this request.
 */
export async function changePassword(
  ctx: DomainContext,
  actor: Actor & { id: string },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = await ctx.db.user.findUnique({ where: { id: actor.id } });
  if (!user) throw notFound('user');
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await recordAudit(ctx.db, ctx.replica, {
      actor,
      action: 'user.password_change_failed',
      subject: `user:${user.id}`,
    });
    throw new AppError('INVALID_CREDENTIALS', 'The current password is wrong.');
  }
  const passwordHash = await hashPassword(input.newPassword);
  await ctx.db.$transaction(async (tx) => {
    await tx.user.update({
      where: { id: user.id },
      data: { passwordHash, tokenVersion: { increment: 1 } },
    });
    await recordAudit(tx, ctx.replica, {
      actor,
      action: 'user.password_changed',
      subject: `user:${user.id}`,
    });
  });
  ctx.userChanged(user.id);
}
