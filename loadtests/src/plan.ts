// What one load generator process runs: written by the parent before the timed
// part, read by each generator.

export interface PurchaseMix {
  events: { id: string; seatIds: string[] }[];
  buyers: { id: string; token: string }[];
  /** Share of requests that ask for the best N instead of naming seats. */
  quantityShare: number;
  /** Seat ids are drawn from the first `hotSeats` of an event (overlap on purpose). */
  hotSeats?: number;
  maxSeats: number;
  declineShare: number;
}

export interface Plan {
  baseUrl: string;
  ca?: string;
  connections: number;
  /** Requests to send; when absent, `durationSeconds` bounds the run. */
  amount?: number;
  durationSeconds: number;
  /** With `amount`: stop after this many seconds even if not all were sent (the soak's --duration). */
  capSeconds?: number;
  /** Requests per second for this generator (autocannon's overallRate); none: as fast as it goes. */
  rate?: number;
  /** GET this path (browse), or buy (purchase mix). */
  get?: string;
  purchase?: PurchaseMix;
  historyFile?: string;
  generator: number;
  /** Open the connections when the clock starts (autocannon's own way), not before it (preconnect.ts). */
  connectAtStart?: boolean;
}

/**
 * What the faults scenario's buyer process runs (buyers.ts): customers arriving at a
 * steady rate, each retrying an indeterminate answer with the same Idempotency-Key.
 */
export interface BuyersPlan {
  baseUrl: string;
  ca?: string;
  purchase: PurchaseMix;
  /** Share of customers who hold seats first and then buy the hold (a transaction of its own in the service). */
  holdShare: number;
  /** New customers per second. */
  rate: number;
  /** No new customer after this many seconds, even if nobody says stop (SIGTERM does). */
  maxSeconds: number;
  /** A request without an answer after this long is given up and retried (same key). */
  timeoutMs: number;
  /** A purchase is retried until a definite answer or this long after its first send. */
  retryForMs: number;
  /** Customers in flight at most; beyond it arrivals are turned away (and counted). */
  maxInFlight: number;
  /**
   * Some customers reach a replica directly rather than through the gateway: the one at
   * `url`, or else a replica of `clusterFile` other than the one the gateway sends the
   * event to, so that two replicas compete for the event's lock.
   */
  direct?: { share: number; url?: string; id?: string; clusterFile?: string };
  historyFile: string;
}
