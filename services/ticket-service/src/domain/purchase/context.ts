import type { SeatStatus } from '@tickets/contract/events';
import type { Faults } from '../../event-lock/faults.ts';
import type { FenceContext, SeatChange } from '../../event-lock/fence.ts';
import type { EventLocker } from '../../event-lock/types.ts';
import type { Metrics } from '../../lib/metrics.ts';
import type { Actor, DomainContext } from '../context.ts';
import type { CaptureMarks } from '../payments/capture-marks.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import type { SaleWriter } from './sale-writer.ts';
import type { SeatViews } from './seat-views.ts';
import type { UsedKeys } from './used-keys.ts';

export type { SeatChange, SeatStatus };

/** Everything the purchase path needs, as plain values. */
export interface PurchaseContext extends DomainContext, FenceContext {
  locks: EventLocker;
  payments: PaymentProvider;
  /** Records captures in the orders table, several per statement. */
  captureMarks: CaptureMarks;
  metrics: Metrics;
  /** In-memory seat availability per event, used only to refuse early. */
  seatViews: SeatViews;
  /** Writes purchase rounds, several events' together (sale-writer.ts). */
  saleWriter: SaleWriter;
  /** Whether a buyer's Idempotency-Key is stored (asked by refusals, batched). */
  usedKeys: UsedKeys;
  /**
   * The event's maxTicketsPerCustomer from this replica's copy of its settings
   * (no statement when known; see plugins/app/waiting-room.ts); undefined for an
   * unknown event. Used to decide in memory; the database checks it again.
   */
  ticketLimitOf(eventId: string): Promise<number | undefined>;
  holdTtlSeconds: number;
  publishSeats(eventId: string, version: number, changes: SeatChange[]): void;
  faults: Faults;
  log: { error(obj: object, msg: string): void };
}

/** A signed-in customer buying: the actor the operation log names, with an id. */
export type Buyer = Actor & { id: string };
