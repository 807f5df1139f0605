import type { DomainContext } from '../context.ts';
import type { SalesGate } from '../events/sales-settings.ts';
import type { AdmissionTokens } from './admission-token.ts';

/** Everything the waiting room needs, as plain values. */
export interface WaitingRoomContext extends DomainContext {
  /**
   * The time every admission decision is taken at, epoch ms. Replicas use their
   * own clocks (as they do for access-token expiry); tests pass a fake one.
   */
  now(): number;
  /** How long an admission lasts from its due time; its token expires with it. */
  admissionTtlMs: number;
  tokens: AdmissionTokens;
  /** An event's sales settings, as this replica knows them (cached). */
  gateOf(eventId: string): Promise<SalesGate | undefined>;
}
