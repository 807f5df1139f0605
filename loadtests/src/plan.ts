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
  /** Requests per second for this generator (autocannon's overallRate); none: as fast as it goes. */
  rate?: number;
  /** GET this path (browse), or buy (purchase mix). */
  get?: string;
  purchase?: PurchaseMix;
  historyFile?: string;
  generator: number;
}
