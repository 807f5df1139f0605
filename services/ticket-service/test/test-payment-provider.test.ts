// The built-in test payment provider's memory: a replica's instance serves every
// purchase of a long-running cluster, so what it remembers must stay bounded
// however many purchases go through it (issue #15: it grew every replica's heap
// by one authorization per purchase all through a soak).
import { describe, expect, it } from 'vitest';
import {
  CLUSTER_MAX_AUTHORIZATIONS,
  createTestPaymentProvider,
  STRICT_MAX_AUTHORIZATIONS,
} from '../src/domain/payments/test-provider.ts';

const payment = (i: number) => ({
  method: 'test',
  card: '4242424242424242',
  amountCents: 5000,
  currency: 'EUR',
  idempotencyKey: `buyer:key-${i}:attempt`,
});

async function authorizeMany(provider: ReturnType<typeof createTestPaymentProvider>, count: number) {
  const references: string[] = [];
  for (let i = 0; i < count; i++) {
    const auth = await provider.authorize(payment(i));
    if (!auth.approved) throw new Error('a test card was declined');
    references.push(auth.reference);
  }
  return references;
}

describe('test payment provider', () => {
  it('when a replica instance has authorized more than it keeps, then it remembers only the latest ones', async () => {
    const provider = createTestPaymentProvider();
    const references = await authorizeMany(provider, CLUSTER_MAX_AUTHORIZATIONS + 500);

    expect(provider.authorizations()).toHaveLength(CLUSTER_MAX_AUTHORIZATIONS);
    expect(provider.authorization(references[499] as string)).toBeUndefined();
    expect(provider.authorization(references[500] as string)?.state).toBe('authorized');
    expect(provider.authorizations().at(-1)?.reference).toBe(references.at(-1));
  });

  it('when a replica instance is asked to capture one it forgot, then it accepts it as it is, like one another replica issued', async () => {
    const provider = createTestPaymentProvider({ maxAuthorizations: 2 });
    const [forgotten] = await authorizeMany(provider, 3);

    await provider.capture(forgotten as string, 5000);

    expect(provider.violations).toEqual([]);
    expect(provider.authorizations()).toHaveLength(2);
  });

  it('when a strict instance is made, then it keeps a test process worth of authorizations, as it refuses what it does not know', async () => {
    expect(STRICT_MAX_AUTHORIZATIONS).toBeGreaterThan(CLUSTER_MAX_AUTHORIZATIONS);
    const provider = createTestPaymentProvider({ strict: true });
    const references = await authorizeMany(provider, CLUSTER_MAX_AUTHORIZATIONS + 1);

    expect(provider.authorizations()).toHaveLength(CLUSTER_MAX_AUTHORIZATIONS + 1);
    await provider.capture(references[0] as string, 5000);
    expect(provider.authorization(references[0] as string)?.state).toBe('captured');
    await expect(provider.capture('test_unknown', 5000)).rejects.toThrow(/unknown authorization/);
  });
});
