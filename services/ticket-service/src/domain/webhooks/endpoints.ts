// Webhook endpoints (README, "Webhooks"): admins register a URL and the events it
// wants; the secret that signs its deliveries is shown once, at creation.
import { randomBytes } from 'node:crypto';
import type { CreateWebhookBody } from '@tickets/contract/webhooks';
import { Prisma } from '../../generated/prisma/client.ts';
import { recordAudit } from '../audit/record.ts';
import type { Actor, DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { type Allowance, checkTarget, TargetRefused } from './targets.ts';

interface EndpointRow {
  id: string;
  url: string;
  events: string[];
  createdAt: Date;
}

const view = (e: EndpointRow) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  createdAt: e.createdAt.toISOString(),
});

export async function createEndpoint(
  ctx: DomainContext,
  actor: Actor,
  body: CreateWebhookBody,
  allow: readonly Allowance[],
) {
  let url: URL;
  try {
    url = await checkTarget(body.url, allow);
  } catch (err) {
    if (!(err instanceof TargetRefused)) throw err;
    throw new AppError('VALIDATION_FAILED', `This URL cannot receive webhooks: ${err.message}.`, {
      errors: [{ path: '/url', message: err.message }],
    });
  }
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const events = [...new Set(body.events)].sort();
  const created = await ctx.db.$transaction(async (tx) => {
    const row = await tx.webhookEndpoint.create({
      data: { url: url.toString(), secret, events, createdBy: actor.id },
    });
    await recordAudit(tx, ctx.replica, {
      actor,
      action: 'webhook.create',
      subject: `webhook:${row.id}`,
      detail: { url: row.url, events },
    });
    return row;
  });
  return { ...view(created), secret };
}

export async function listEndpoints(ctx: DomainContext) {
  const rows = await ctx.db.webhookEndpoint.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'asc' }] });
  const counts = await ctx.db.$queryRaw<
    { endpoint_id: string; pending: number; failed: number }[]
  >(Prisma.sql`
    SELECT endpoint_id::text, count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*) FILTER (WHERE status = 'failed')::int AS failed
      FROM webhook_deliveries WHERE status <> 'delivered' GROUP BY endpoint_id`);
  const by = new Map(counts.map((c) => [c.endpoint_id, c]));
  return {
    items: rows.map((e) => ({
      ...view(e),
      pendingCount: by.get(e.id)?.pending ?? 0,
      failedCount: by.get(e.id)?.failed ?? 0,
    })),
  };
}

export async function deleteEndpoint(ctx: DomainContext, actor: Actor, id: string) {
  await ctx.db.$transaction(async (tx) => {
    const gone = await tx.webhookEndpoint.deleteMany({ where: { id } });
    if (gone.count === 0) throw notFound('webhook');
    await recordAudit(tx, ctx.replica, { actor, action: 'webhook.delete', subject: `webhook:${id}` });
  });
}

export async function listDeliveries(ctx: DomainContext, endpointId: string, limit: number) {
  const exists = await ctx.db.webhookEndpoint.findUnique({ where: { id: endpointId }, select: { id: true } });
  if (!exists) throw notFound('webhook');
  const rows = await ctx.db.webhookDelivery.findMany({
    where: { endpointId },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    take: limit,
  });
  return {
    items: rows.map((d) => ({
      id: d.id,
      eventType: d.eventType,
      status: d.status as 'pending' | 'delivered' | 'failed',
      attempts: d.attempts,
      createdAt: d.createdAt.toISOString(),
      nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      payload: d.payload as Record<string, unknown>,
      attemptLog: d.attemptLog as {
        at: string;
        replica: string;
        status: number | null;
        error: string | null;
        ms: number;
      }[],
    })),
  };
}
