// The built-in test provider: approves any card number except those ending in
// 0002, which it declines (like the well-known test cards of real providers).
import { createHash } from 'node:crypto';
import type { PaymentProvider } from './provider.ts';

export function createTestPaymentProvider(): PaymentProvider {
  return {
    async authorize(request) {
      if (request.card.endsWith('0002')) return { approved: false, reason: 'card_declined' };
      const reference = createHash('sha256')
        .update(`${request.idempotencyKey}:${request.amountCents}:${request.currency}`)
        .digest('hex')
        .slice(0, 24);
      return { approved: true, reference: `test_${reference}` };
    },
    async capture() {},
    async void() {},
  };
}
