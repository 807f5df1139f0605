// The built-in test provider: approves any card number except those ending in
// 0002, which it declines (like the well-known test cards of real providers).
//
// It keeps what a real provider keeps — each authorization and whether it is
// still open, voided or captured — and refuses what a real provider refuses:
// capturing a voided authorization, capturing more than was authorized,
// capturing one authorization twice with different amounts, voiding a captured
// one, refunding an uncaptured one or more than was captured. Each refusal is also kept in `violations`, because the service only logs
// a failed capture; tests assert that there were none.
//
// A real provider is one service that every replica talks to. This one lives in
// the memory of one process: in tests, one instance serves every app of the
// process (`strict`: a reference it did not issue is a bug). In a local cluster
// each replica has its own, so a reference another replica issued is unknown
// here and accepted as it is (the capture sweep may settle another replica's order),
// and so is one of its own that it has forgotten: it keeps only the latest ones.
import { createHash } from 'node:crypto';
import type { PaymentProvider } from './provider.ts';

export type AuthorizationState = 'authorized' | 'voided' | 'captured';

export interface TestAuthorization {
  reference: string;
  idempotencyKey: string;
  amountCents: number;
  currency: string;
  state: AuthorizationState;
  capturedCents: number;
  /** Capture calls answered for it, repeats included (a capture is idempotent). */
  captureCalls: number;
  /** Refunded so far, and by how many refund calls. */
  refundedCents: number;
  refundCalls: number;
}

export interface TestPaymentProvider extends PaymentProvider {
  /** What this provider knows of a reference; undefined when it did not issue it. */
  authorization(reference: string): Readonly<TestAuthorization> | undefined;
  /** Authorizations in the order they were made. */
  authorizations(): Readonly<TestAuthorization>[];
  /** Every request it refused as a misuse, in words. */
  readonly violations: string[];
}

export interface TestProviderOptions {
  /** Refuse references this instance did not issue (one instance serves the whole test process). */
  strict?: boolean;
  /**
   * Authorizations remembered; the oldest are forgotten beyond it. Default: see
   * STRICT_MAX_AUTHORIZATIONS and CLUSTER_MAX_AUTHORIZATIONS.
   */
  maxAuthorizations?: number;
}

/** A strict instance refuses what it forgot, so it remembers a whole test process's worth. */
export const STRICT_MAX_AUTHORIZATIONS = 100_000;
/**
 * A replica's own instance serves every purchase of a long-running cluster, and each
 * authorization kept costs about 0.8 kB of heap: when it kept up to 100,000, a
 * replica's live heap grew with every purchase all through a soak (issue #15: about
 * 36,000 per replica in a 100,000-purchase run). It needs only the recent ones: an
 * attempt is captured or voided within its lock lease, a lost capture is retried by
 * the sweep after CAPTURE_GRACE_MS; a reference it forgot is accepted as it is, like
 * one another replica issued.
 */
export const CLUSTER_MAX_AUTHORIZATIONS = 10_000;

export function createTestPaymentProvider(options: TestProviderOptions = {}): TestPaymentProvider {
  const { strict = false } = options;
  const maxAuthorizations =
    options.maxAuthorizations ?? (strict ? STRICT_MAX_AUTHORIZATIONS : CLUSTER_MAX_AUTHORIZATIONS);
  const known = new Map<string, TestAuthorization>();
  const violations: string[] = [];

  const refuse = (message: string): never => {
    violations.push(message);
    throw new Error(`test payment provider: ${message}`);
  };
  /** The authorization, or undefined for one another process issued (accepted as it is). */
  const find = (reference: string, what: string): TestAuthorization | undefined => {
    const found = known.get(reference);
    if (!found && strict) refuse(`${what} of unknown authorization ${reference}`);
    return found;
  };

  return {
    violations,
    authorization: (reference) => known.get(reference),
    authorizations: () => [...known.values()],

    async authorize(request) {
      // A declined card leaves nothing open.
      if (request.card.endsWith('0002')) return { approved: false, reason: 'card_declined' };
      // The same idempotency key answers the same authorization, whatever became of it.
      const reference = `test_${createHash('sha256')
        .update(`${request.idempotencyKey}:${request.amountCents}:${request.currency}`)
        .digest('hex')
        .slice(0, 24)}`;
      if (!known.has(reference)) {
        known.set(reference, {
          reference,
          idempotencyKey: request.idempotencyKey,
          amountCents: request.amountCents,
          currency: request.currency,
          state: 'authorized',
          capturedCents: 0,
          captureCalls: 0,
          refundedCents: 0,
          refundCalls: 0,
        });
        if (known.size > maxAuthorizations) known.delete(known.keys().next().value as string);
      }
      return { approved: true, reference };
    },

    async capture(reference, amountCents) {
      const auth = find(reference, 'capture');
      if (!auth) return;
      if (auth.state === 'voided') refuse(`capture of voided authorization ${reference}`);
      if (amountCents > auth.amountCents) {
        refuse(`capture of ${amountCents} on ${reference}, authorized ${auth.amountCents}`);
      }
      if (auth.state === 'captured' && auth.capturedCents !== amountCents) {
        refuse(`second capture of ${reference} for ${amountCents}, captured ${auth.capturedCents}`);
      }
      auth.state = 'captured';
      auth.capturedCents = amountCents;
      auth.captureCalls++;
    },

    async void(reference) {
      const auth = find(reference, 'void');
      if (!auth) return;
      if (auth.state === 'captured') refuse(`void of captured authorization ${reference}`);
      auth.state = 'voided';
    },

    async refund(reference, amountCents) {
      const auth = find(reference, 'refund');
      if (!auth) return;
      if (auth.state !== 'captured') refuse(`refund of uncaptured authorization ${reference}`);
      auth.refundCalls++;
      // A repeat of the refund (the service did not hear the first answer) is the same refund.
      if (auth.refundedCents > 0) {
        if (amountCents !== auth.refundedCents) {
          refuse(`second refund of ${reference} for ${amountCents}, refunded ${auth.refundedCents}`);
        }
        return;
      }
      if (amountCents <= 0 || amountCents > auth.capturedCents) {
        refuse(`refund of ${amountCents} on ${reference}, captured ${auth.capturedCents}`);
      }
      auth.refundedCents = amountCents;
    },
  };
}
