// Payment providers plug in behind this interface. A purchase authorizes before
// it writes anything, captures after COMMIT, and voids when the write surely did
// not happen, so a buyer is charged only for an order that exists. A one-step
// purchase for the best N seats authorizes an upper bound and captures the
// actual total (a partial capture, as card networks allow).
//
// Every attempt authorizes on its own (its own idempotency key), so a retry
// never meets an authorization an earlier attempt voided. An order keeps the
// reference it was paid with; whoever captures it later (a replay, the capture
// sweep) captures that reference.

export interface PaymentRequest {
  method: string;
  card: string;
  amountCents: number;
  currency: string;
  /** One per purchase attempt: a provider must not authorize it twice. */
  idempotencyKey: string;
}

export type Authorization = { approved: true; reference: string } | { approved: false; reason: string };

export interface PaymentProvider {
  authorize(request: PaymentRequest): Promise<Authorization>;
  /**
   * Must be idempotent per reference: a replay and the capture sweep may repeat
   * a capture that already happened, with the same amount.
   */
  capture(reference: string, amountCents: number): Promise<void>;
  void(reference: string): Promise<void>;
  /**
   * Gives back `amountCents` of a captured payment (a cancelled order: its whole
   * total). Must be idempotent per reference: the order is claimed before and
   * marked refunded after (domain/orders/refunds.ts), so a refund is repeated
   * only when its outcome was never recorded. A provider refuses a refund of an
   * uncaptured payment or of more than was captured.
   */
  refund(reference: string, amountCents: number): Promise<void>;
}
