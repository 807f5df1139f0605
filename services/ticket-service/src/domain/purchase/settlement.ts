// What a buyer is answered once their order committed: built from the rows the
// purchase itself wrote, so no read follows the write.
import type { OrderView } from './orders.ts';

/** A seat as a purchase sold it. */
export type SoldSeat = { id: string; price_cents: number; label: string };

export interface Settlement {
  orderId: string;
  totalCents: number;
  view: OrderView;
}

export const totalOf = (seats: SoldSeat[]) => seats.reduce((sum, s) => sum + s.price_cents, 0);

export function settlement(order: {
  id: string;
  eventId: string;
  eventTitle: string;
  currency: string;
  userEmail: string;
  seats: SoldSeat[];
  createdAt: Date;
}): Settlement {
  const totalCents = totalOf(order.seats);
  const seats = [...order.seats].sort((a, b) => a.id.localeCompare(b.id));
  return {
    orderId: order.id,
    totalCents,
    view: {
      id: order.id,
      eventId: order.eventId,
      eventTitle: order.eventTitle,
      seats: seats.map((s) => ({ id: s.id, label: s.label, priceCents: s.price_cents })),
      totalCents,
      currency: order.currency,
      status: 'confirmed',
      createdAt: order.createdAt.toISOString(),
      userEmail: order.userEmail,
    },
  };
}
