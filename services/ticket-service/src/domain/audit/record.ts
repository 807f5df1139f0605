// The operation log: every state-changing operation, stored with time, replica,
// actor, action, subject and detail.
import type { Prisma } from '../../generated/prisma/client.ts';
import type { Actor, Db } from '../context.ts';

export interface AuditRecord {
  actor: Actor;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
}

export async function recordAudit(db: Db, replica: string, entry: AuditRecord): Promise<void> {
  await db.auditEntry.create({
    data: {
      replica,
      actorId: entry.actor.id,
      actor: entry.actor.email,
      action: entry.action,
      subject: entry.subject,
      detail: (entry.detail ?? {}) as Prisma.InputJsonValue,
    },
  });
}
