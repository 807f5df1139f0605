import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';

export interface AuditPageInput {
  limit: number;
  /** An entry id (digits) or an ISO timestamp: only entries older than it. */
  before?: string;
}

const MAX_ID = 2n ** 63n - 1n;

function invalidBefore(): AppError {
  return new AppError('VALIDATION_FAILED', '`before` must be an entry id or an ISO 8601 timestamp.', {
    errors: [{ path: 'querystring/before', message: 'must be an entry id or a date-time' }],
  });
}

function beforeFilter(before: string | undefined) {
  if (before === undefined) return {};
  if (/^\d{1,19}$/.test(before)) {
    const id = BigInt(before);
    if (id > MAX_ID) throw invalidBefore();
    return { id: { lt: id } };
  }
  const at = new Date(before);
  const year = at.getUTCFullYear();
  if (Number.isNaN(at.getTime()) || year < 1970 || year > 9999) throw invalidBefore();
  return { at: { lt: at } };
}

/** A page of the operation log, newest first. */
export async function listAudit(ctx: DomainContext, input: AuditPageInput) {
  const rows = await ctx.db.auditEntry.findMany({
    where: beforeFilter(input.before),
    orderBy: [{ id: 'desc' }],
    take: input.limit,
  });
  const items = rows.map((r) => ({
    id: r.id.toString(),
    at: r.at.toISOString(),
    replica: r.replica,
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    detail: r.detail as Record<string, unknown>,
  }));
  const last = items.at(-1);
  return { items, nextBefore: items.length === input.limit && last ? last.id : null };
}
