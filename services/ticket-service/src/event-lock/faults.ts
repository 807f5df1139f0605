/** The seat-changing steps that run behind the fence, as the afterCommit hook names them. */
export type Step = 'hold' | 'order' | 'release' | 'expire' | 'cancel';

/**
 * Test hooks at the points of a lock hold where a pause or a loss is dangerous;
 * passed to the app (AppOptions.faults), empty in production.
 */
export interface Faults {
  /** Runs after the lock and epoch are taken, before the write (e.g. a pause). */
  inCriticalSection?: (eventId: string) => Promise<void>;
  /** Runs inside a fenced transaction, after its fence: the event row is held (e.g. a pause). */
  inTransaction?: (eventId: string) => Promise<void>;
  /** Runs after COMMIT, before the answer (e.g. to simulate a lost COMMIT reply). */
  afterCommit?: (step: Step) => void;
}
