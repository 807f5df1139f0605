import { recordAudit } from '../audit/record.ts';
import type { Actor, DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { eventViews } from './event-view.ts';

export async function setEventStatus(
  ctx: DomainContext,
  actor: Actor,
  eventId: string,
  status: 'on_sale' | 'closed',
) {
  return ctx.db.$transaction(async (tx) => {
    const { count } = await tx.event.updateMany({ where: { id: eventId }, data: { status } });
    if (count === 0) throw notFound('event');
    await recordAudit(tx, ctx.replica, {
      actor,
      action: 'event.status',
      subject: `event:${eventId}`,
      detail: { status },
    });
    const event = await tx.event.findUniqueOrThrow({ where: { id: eventId } });
    const [view] = await eventViews(tx, [event]);
    return view as NonNullable<typeof view>;
  });
}
