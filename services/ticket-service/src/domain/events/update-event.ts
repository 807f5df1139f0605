// PATCH /admin/events/:id: open or close sales, change when they open, the
// waiting room and the per-customer limit. One transaction; each kind of change
// is its own entry in the operation log.
import type { PatchEventBody } from '@tickets/contract/events';
import { recordAudit } from '../audit/record.ts';
import type { Actor, DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { eventViews } from './event-view.ts';
import { salesColumns } from './sales-settings.ts';

export async function updateEvent(
  ctx: DomainContext,
  actor: Actor,
  eventId: string,
  changes: PatchEventBody,
) {
  const sales = salesColumns(changes);
  return ctx.db.$transaction(async (tx) => {
    // A new limit applies to holds and purchases from now on; what customers have is kept.
    const limit = changes.maxTicketsPerCustomer;
    const data = {
      ...(changes.status ? { status: changes.status } : {}),
      ...sales,
      ...(limit !== undefined ? { maxTicketsPerCustomer: limit } : {}),
    };
    const { count } = await tx.event.updateMany({ where: { id: eventId }, data });
    if (count === 0) throw notFound('event');
    // The admission clock's row; a waiting room turned off and on again keeps it
    // (and its queue).
    if (changes.waitingRoom) await tx.waitingRoom.createMany({ data: [{ eventId }], skipDuplicates: true });
    const subject = `event:${eventId}`;
    if (changes.status) {
      await recordAudit(tx, ctx.replica, {
        actor,
        action: 'event.status',
        subject,
        detail: { status: changes.status },
      });
    }
    if (Object.keys(sales).length > 0) {
      await recordAudit(tx, ctx.replica, {
        actor,
        action: 'event.sales',
        subject,
        detail: given({ salesStartAt: changes.salesStartAt, waitingRoom: changes.waitingRoom }),
      });
    }
    if (limit !== undefined) {
      await recordAudit(tx, ctx.replica, {
        actor,
        action: 'event.limit',
        subject,
        detail: { maxTicketsPerCustomer: limit },
      });
    }
    const event = await tx.event.findUniqueOrThrow({ where: { id: eventId } });
    const [view] = await eventViews(tx, [event]);
    return view as NonNullable<typeof view>;
  });
}

const given = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
