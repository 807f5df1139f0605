import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { orderInclude, orderViews } from '../orders/order-view.ts';

/** An event's orders with each buyer's email, newest first. */
export async function eventOrders(ctx: DomainContext, eventId: string) {
  const exists = await ctx.db.event.findUnique({ where: { id: eventId }, select: { id: true } });
  if (!exists) throw notFound('event');
  const orders = await ctx.db.order.findMany({
    where: { eventId },
    include: orderInclude,
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    take: 1000,
  });
  return { items: await orderViews(ctx.db, orders) };
}
