// What the generators ask for: named seats are a run of adjacent seats drawn from
// the first `hotSeats` of the event, best-N asks for 1..maxSeats, every purchase
// has its own key.
import { describe, expect, it } from 'vitest';
import type { PurchaseMix } from '../src/plan.ts';
import { nextPurchase } from '../src/purchase-mix.ts';

const seatIds = Array.from({ length: 100 }, (_, i) => `s${i}`);
const mix = (over: Partial<PurchaseMix>): PurchaseMix => ({
  events: [{ id: 'e1', seatIds }],
  buyers: [{ id: 'u1', token: 't' }],
  quantityShare: 0,
  maxSeats: 4,
  declineShare: 0,
  ...over,
});

describe('purchase mix', () => {
  it('when seats are named, then they are 1..maxSeats adjacent seats among the first hotSeats', () => {
    const lengths = new Set<number>();
    let highest = 0;
    for (let i = 0; i < 2_000; i++) {
      const { body } = nextPurchase(mix({ hotSeats: 10 }));
      if (!('seatIds' in body)) throw new Error('expected named seats');
      const at = body.seatIds.map((id) => seatIds.indexOf(id));
      expect(at.every((x, j) => x >= 0 && (j === 0 || x === (at[j - 1] as number) + 1))).toBe(true);
      lengths.add(at.length);
      highest = Math.max(highest, ...at);
    }
    expect([...lengths].sort()).toEqual([1, 2, 3, 4]);
    expect(highest).toBeLessThan(10);
    expect(highest).toBeGreaterThanOrEqual(8);
  });

  it('when hotSeats is absent or larger than the event, then every seat can be drawn', () => {
    for (const hotSeats of [undefined, 1_000]) {
      const drawn = new Set<string>();
      for (let i = 0; i < 5_000; i++) {
        const { body } = nextPurchase(mix({ hotSeats, maxSeats: 1 }));
        if (!('seatIds' in body)) throw new Error('expected named seats');
        expect(body.seatIds).toHaveLength(1);
        for (const id of body.seatIds) drawn.add(id);
      }
      expect(drawn.size).toBeGreaterThan(90);
      expect([...drawn].every((id) => seatIds.includes(id))).toBe(true);
    }
  });

  it('when the mix asks for best-N, then the quantity is 1..maxSeats and every key is new', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const p = nextPurchase(mix({ quantityShare: 1 }));
      if (!('quantity' in p.body)) throw new Error('expected a quantity');
      expect(p.body.quantity).toBeGreaterThanOrEqual(1);
      expect(p.body.quantity).toBeLessThanOrEqual(4);
      keys.add(p.key);
    }
    expect(keys.size).toBe(500);
  });
});
