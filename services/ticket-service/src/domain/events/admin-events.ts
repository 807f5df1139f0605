import { Prisma } from '../../generated/prisma/client.ts';
import type { DomainContext } from '../context.ts';
import { eventView, seatCounts } from './event-view.ts';

/** Every event with its sales figures, newest start first. */
export async function adminEvents(ctx: DomainContext) {
  const events = await ctx.db.event.findMany({ orderBy: [{ startsAt: 'desc' }, { id: 'asc' }], take: 500 });
  const ids = events.map((e) => e.id);
  const counts = await seatCounts(ctx.db, ids);
  const orderRows =
    ids.length === 0
      ? []
      : await ctx.db.$queryRaw<{ event_id: string; orders: number; revenue: bigint }[]>(Prisma.sql`
          SELECT event_id, count(*)::int AS orders, coalesce(sum(total_cents), 0)::bigint AS revenue
            FROM orders WHERE event_id = ANY(${ids}::uuid[]) AND status <> 'cancelled' GROUP BY event_id`);
  const orders = new Map(orderRows.map((r) => [r.event_id, r]));
  return {
    items: events.map((e) => {
      const c = counts.get(e.id);
      const o = orders.get(e.id);
      return {
        ...eventView(e, c),
        sales: {
          soldCount: c?.sold ?? 0,
          heldCount: c?.held ?? 0,
          availableCount: c?.available ?? 0,
          orderCount: o?.orders ?? 0,
          revenueCents: Number(o?.revenue ?? 0),
        },
      };
    }),
  };
}
