import type { SeatStatus } from '@tickets/contract/events';
import type { EventLocker } from '../../lib/event-lock.ts';
import type { Metrics } from '../../plugins/external/metrics.ts';
import type { DomainContext } from '../context.ts';
import type { CaptureMarks } from '../payments/capture-marks.ts';
import type { PaymentProvider } from '../payments/provider.ts';
import type { SaleWriter } from './sale-writer.ts';
import type { SeatViews } from './seat-view.ts';
import type { UsedKeys } from './used-keys.ts';

export type { SeatStatus };

export interface SeatChange {
  id: string;
  status: SeatStatus;
  /**
   * The customer whose order or active hold has the seat; null when it is
   * available. Replicas' seat views count each customer's seats from it (the
   * per-customer limit); the public stream leaves it out.
   */
  owner: string | null;
}

/** Test hooks into the purchase path; empty in production. */
export interface Faults {
  /** Runs after the lock and epoch are taken, before the write (e.g. a pause). */
  inCriticalSection?: (eventId: string) => Promise<void>;
  /** Runs inside a fenced transaction, after its fence: the event row is held (e.g. a pause). */
  inTransaction?: (eventId: string) => Promise<void>;
  /** Runs after COMMIT, before the answer (e.g. to simulate a lost COMMIT reply). */
  afterCommit?: (step: 'hold' | 'order' | 'release' | 'expire' | 'cancel') => void;
}

/** Everything the purchase path needs, as plain values. */
export interface PurchaseContext extends DomainContext {
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
