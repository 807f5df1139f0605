// Orders as the API shows them, with their seats. One query shape for the buyer's
// history, a single order and an event's orders for admins.
import type { Prisma } from '../../generated/prisma/client.ts';

export const orderInclude = {
  event: { select: { title: true } },
  user: { select: { email: true } },
  tickets: {
    select: { id: true, seatId: true, priceCents: true, checkedInAt: true },
    orderBy: { seatId: 'asc' },
  },
} satisfies Prisma.OrderInclude;

type OrderRow = Prisma.OrderGetPayload<{ include: typeof orderInclude }>;

/** A ticket of an order as read back; `code` is added by the route (for the owner or an admin). */
export interface TicketView {
  id: string;
  seatId: string;
  label: string;
  checkedInAt: string | null;
  code?: string;
}

export function orderView(o: OrderRow, labels: Map<string, string>) {
  const view = {
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
    status: o.status as 'confirmed' | 'cancelled',
    createdAt: o.createdAt.toISOString(),
    ...(o.cancelledAt ? { cancelledAt: o.cancelledAt.toISOString() } : {}),
  };
  // Optional in the type: a purchase's own answer is built without reading its
  // tickets back. The codes are added by the route for the owner or an admin
  // (domain/tickets/ticket-code.ts, withTicketCodes).
  const tickets: TicketView[] = o.tickets.map((t) => ({
    id: t.id,
    seatId: t.seatId,
    label: labels.get(t.seatId) ?? '',
    checkedInAt: t.checkedInAt?.toISOString() ?? null,
  }));
  return { ...view, tickets } as typeof view & { tickets?: TicketView[] };
}

export async function orderViews(db: Prisma.TransactionClient, orders: OrderRow[]) {
  const seatIds = orders.flatMap((o) => o.tickets.map((t) => t.seatId));
  const seats = seatIds.length
    ? await db.seat.findMany({ where: { id: { in: seatIds } }, select: { id: true, label: true } })
    : [];
  const labels = new Map(seats.map((s) => [s.id, s.label]));
  return orders.map((o) => ({ ...orderView(o, labels), userEmail: o.user.email }));
}
