// Orders as the API shows them, with their seats. One query shape for the buyer's
// history, a single order and an event's orders for admins.
import type { Prisma } from '../../generated/prisma/client.ts';

export const orderInclude = {
  event: { select: { title: true } },
  user: { select: { email: true } },
  tickets: { select: { seatId: true, priceCents: true }, orderBy: { seatId: 'asc' } },
} satisfies Prisma.OrderInclude;

type OrderRow = Prisma.OrderGetPayload<{ include: typeof orderInclude }>;

export function orderView(o: OrderRow, labels: Map<string, string>) {
  return {
    id: o.id,
    eventId: o.eventId,
    eventTitle: o.event.title,
    seats: o.tickets.map((t) => ({
      id: t.seatId,
      label: labels.get(t.seatId) ?? '',
      priceCents: t.priceCents,
    })),
    totalCents: o.totalCents,
    currency: o.currency,
    status: 'confirmed' as const,
    createdAt: o.createdAt.toISOString(),
  };
}

export async function orderViews(db: Prisma.TransactionClient, orders: OrderRow[]) {
  const seatIds = orders.flatMap((o) => o.tickets.map((t) => t.seatId));
  const seats = seatIds.length
    ? await db.seat.findMany({ where: { id: { in: seatIds } }, select: { id: true, label: true } })
    : [];
  const labels = new Map(seats.map((s) => [s.id, s.label]));
  return orders.map((o) => ({ ...orderView(o, labels), userEmail: o.user.email }));
}
