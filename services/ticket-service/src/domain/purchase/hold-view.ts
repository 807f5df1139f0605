import type { Db } from '../context.ts';

const seatSelect = {
  id: true,
  section: true,
  row: true,
  number: true,
  label: true,
  priceCents: true,
  status: true,
} as const;

export async function holdView(db: Db, holdId: string) {
  const hold = await db.hold.findUniqueOrThrow({
    where: { id: holdId },
    include: { event: { select: { currency: true } } },
  });
  const seats = await db.seat.findMany({
    where: { id: { in: hold.seatIds } },
    select: seatSelect,
    orderBy: [{ section: 'asc' }, { row: 'asc' }, { number: 'asc' }],
  });
  return {
    id: hold.id,
    eventId: hold.eventId,
    seats,
    totalCents: hold.totalCents,
    currency: hold.event.currency,
    expiresAt: hold.expiresAt.toISOString(),
    status: hold.status,
  };
}

export type HoldView = Awaited<ReturnType<typeof holdView>>;
