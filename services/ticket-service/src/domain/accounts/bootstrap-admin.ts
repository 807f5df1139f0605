// The first admin, from the operator's environment or the CLI. Safe to run on
// every start of every replica at once: the insert is conditional on the email.
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import { type DomainContext, SYSTEM } from '../context.ts';
import { hashPassword } from './password.ts';
import { normalizeEmail } from './user-view.ts';

export type BootstrapOutcome = 'created' | 'exists' | 'conflict';

export async function ensureAdmin(
  ctx: DomainContext,
  input: { email: string; password: string; name?: string },
): Promise<BootstrapOutcome> {
  const email = normalizeEmail(input.email);
  const existing = await ctx.db.user.findUnique({ where: { email }, select: { role: true } });
  if (existing) return existing.role === 'admin' ? 'exists' : 'conflict';
  const passwordHash = await hashPassword(input.password);
  const name = input.name ?? 'Administrator';
  return ctx.db.$transaction(async (tx) => {
    const inserted = await tx.$queryRaw<{ id: string }[]>(Prisma.sql`
      INSERT INTO users (email, name, password_hash, role, updated_at)
      VALUES (${email}, ${name}, ${passwordHash}, 'admin', now())
      ON CONFLICT (email) DO NOTHING
      RETURNING id`);
    const row = inserted[0];
    if (!row) {
      const now = await tx.user.findUnique({ where: { email }, select: { role: true } });
      return now?.role === 'admin' ? 'exists' : 'conflict';
    }
    await recordAudit(tx, ctx.replica, {
      actor: SYSTEM,
      action: 'user.admin_bootstrap',
      subject: `user:${row.id}`,
      detail: { email },
    });
    return 'created';
  });
}
