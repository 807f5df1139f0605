// Checks shared by every way of claiming seats (a hold, or a one-step purchase).
import type { Prisma } from '../../generated/prisma/client.ts';
import { AppError } from '../errors.ts';
import { notThisEvent, seatsUnavailable } from './refusals.ts';

/** Ids are UUIDs: the same seat in another letter case is still the same seat. */
export function distinctSeatIds(ids: string[]): string[] {
  const lower = ids.map((id) => id.toLowerCase());
  const repeated = lower.findIndex((id, i) => lower.indexOf(id) !== i);
  if (repeated >= 0) {
    throw new AppError('VALIDATION_FAILED', 'A seat is requested twice.', {
      errors: [{ path: `body/seatIds/${repeated}`, message: 'must not repeat a seat' }],
    });
  }
  return lower;
}

// Some requested seats were not available: say which, or that they are not this
// event's seats at all. Throwing rolls the transaction back.
export async function refuse(
  tx: Prisma.TransactionClient,
  eventId: string,
  seatIds: string[],
  taken: { id: string }[],
): Promise<never> {
  const got = new Set(taken.map((s) => s.id));
  const missing = seatIds.filter((id) => !got.has(id));
  const known = await tx.seat.findMany({ where: { eventId, id: { in: missing } }, select: { id: true } });
  if (known.length < missing.length) {
    const knownIds = new Set(known.map((s) => s.id));
    throw notThisEvent(
      seatIds,
      missing.filter((id) => !knownIds.has(id)),
    );
  }
  throw seatsUnavailable(missing);
}
