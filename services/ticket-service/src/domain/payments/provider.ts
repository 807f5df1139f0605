// Payment providers plug in behind this interface. A purchase authorizes before
// it writes anything, captures after COMMIT, and voids when the write fails, so a
// buyer is charged only for an order that exists. A one-step purchase for the
// best N seats authorizes an upper bound and captures the actual total (a
// partial capture, as card networks allow).

export interface PaymentRequest {
  method: string;
  card: string;
  amountCents: number;
  currency: string;
  /** The purchase's idempotency key: a provider must not charge it twice. */
  idempotencyKey: string;
}

export type Authorization = { approved: true; reference: string } | { approved: false; reason: string };

export interface PaymentProvider {
  authorize(request: PaymentRequest): Promise<Authorization>;
  capture(reference: string, amountCents: number): Promise<void>;
  void(reference: string): Promise<void>;
}
