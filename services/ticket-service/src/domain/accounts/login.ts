import { recordAudit } from '../audit/record.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { burnVerify, verifyPassword } from './password.ts';
import { normalizeEmail } from './user-view.ts';

/** Checks the credentials; the same answer for an unknown email and a wrong password. */
export async function login(ctx: DomainContext, input: { email: string; password: string }) {
  const email = normalizeEmail(input.email);
  const user = await ctx.db.user.findUnique({ where: { email } });
  let ok = false;
  if (user) ok = await verifyPassword(user.passwordHash, input.password);
  else await burnVerify(input.password);
  await recordAudit(ctx.db, ctx.replica, {
    actor: { id: user?.id ?? null, email },
    action: ok ? 'auth.login' : 'auth.login_failed',
    subject: user ? `user:${user.id}` : `email:${email}`,
  });
  if (!ok || !user) throw new AppError('INVALID_CREDENTIALS', 'Wrong email or password.');
  return user;
}
