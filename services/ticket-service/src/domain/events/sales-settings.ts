// When an event's sales open and whether it has a waiting room: set by admins on
// create and PATCH, stored on the event row, checked before every hold and
// one-step order (plugins/app/waiting-room.ts keeps a copy per replica).
import type { PatchEventBody } from '@tickets/contract/events';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import { checkDateTime } from './date-time.ts';
import type { EventView } from './event-view.ts';

/** The columns a create or PATCH writes for these settings (only those given). */
export function salesColumns(input: Pick<PatchEventBody, 'salesStartAt' | 'waitingRoom'>) {
  const data: { salesStartAt?: Date | null; waitingRoomEnabled?: boolean; admitPerMinute?: number } = {};
  if (input.salesStartAt !== undefined) {
    data.salesStartAt =
      input.salesStartAt === null
        ? null
        : checkDateTime(input.salesStartAt, 'salesStartAt', 'The sales start');
  }
  if (input.waitingRoom) {
    data.waitingRoomEnabled = input.waitingRoom.enabled;
    data.admitPerMinute = input.waitingRoom.admitPerMinute;
  }
  return data;
}

/** What a hold or an order must pass before it reaches the purchase path. */
export interface SalesGate {
  id: string;
  /** Epoch ms; null: open. */
  salesStartAt: number | null;
  waitingRoom: boolean;
  admitPerMinute: number | null;
  /** The per-customer limit, which one-step purchases decide from (domain/purchase/sell-batch.ts). */
  maxTicketsPerCustomer: number;
}

export async function readSalesGate(db: PrismaClient, eventId: string): Promise<SalesGate | undefined> {
  const event = await db.event.findUnique({
    where: { id: eventId },
    select: {
      salesStartAt: true,
      waitingRoomEnabled: true,
      admitPerMinute: true,
      maxTicketsPerCustomer: true,
    },
  });
  if (!event) return undefined;
  return {
    id: eventId,
    salesStartAt: event.salesStartAt?.getTime() ?? null,
    waitingRoom: event.waitingRoomEnabled && event.admitPerMinute !== null,
    admitPerMinute: event.admitPerMinute,
    maxTicketsPerCustomer: event.maxTicketsPerCustomer,
  };
}

/** The gate of an event just written, from its view (no read needed). */
export function gateOf(view: EventView): SalesGate {
  return {
    id: view.id,
    salesStartAt: view.salesStartAt === null ? null : Date.parse(view.salesStartAt),
    waitingRoom: view.waitingRoom?.enabled ?? false,
    admitPerMinute: view.waitingRoom?.admitPerMinute ?? null,
    maxTicketsPerCustomer: view.maxTicketsPerCustomer,
  };
}
