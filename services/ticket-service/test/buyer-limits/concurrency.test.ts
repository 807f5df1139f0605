// One customer's many purchases and holds at once, through two replicas, never pass the limit.
import { createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { buyNow, hold, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { a, admin, b, hall, holdsOf, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('under concurrency', () => {
  it('when one customer sends 50 purchases and holds at once through two replicas, then they never pass the limit', async () => {
    const limit = 7;
    const event = await createEvent(a, admin, hall(limit));
    const s = (await seatsOf(a, event.id)).seats.map((x) => x.id);
    const [buyer, rival] = [await signup(a), await signup(a)];
    const pick = (n: number) => [...s].sort(() => Math.random() - 0.5).slice(0, n);
    const attempt = (who: TestUser, i: number) => {
      const app = i % 2 === 0 ? a : b;
      if (i % 10 === 9)
        return hold(app, who, event.id, i % 20 === 9 ? { quantity: 1 } : { seatIds: pick(1) });
      return buyNow(
        app,
        who,
        event.id,
        i % 3 === 0 ? { quantity: 1 + (i % 4) } : { seatIds: pick(1 + (i % 2)) },
      );
    };
    const answers = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => attempt(buyer, i).then((res) => ({ who: buyer, res }))),
      ...Array.from({ length: 20 }, (_, i) => attempt(rival, i).then((res) => ({ who: rival, res }))),
    ]);
    for (const { res } of answers) {
      expect([200, 201, 409, 503]).toContain(res.statusCode);
      if (res.statusCode === 409 && res.json().code === 'LIMIT_EXCEEDED') {
        expect(res.json().remaining).toBeGreaterThanOrEqual(0);
        expect(res.json().remaining).toBeLessThan(limit);
      }
    }
    expect(answers.some(({ who, res }) => who === buyer && res.json().code === 'LIMIT_EXCEEDED')).toBe(true);
    for (const who of [buyer, rival]) {
      const got = await holdsOf(event.id, who.id);
      expect(got).toBeLessThanOrEqual(limit);
      // Every seat counted was answered 201 (nothing stored for a refusal).
      const answered = answers
        .filter((x) => x.who === who && x.res.statusCode === 201)
        .reduce((n, x) => n + (x.res.json().seats as unknown[]).length, 0);
      expect(got).toBe(answered);
    }
    // The limit is reached exactly, not short of it: single seats until refused.
    for (let i = 0; i < limit; i++) {
      const res = await buyNow(i % 2 === 0 ? a : b, buyer, event.id, { quantity: 1 });
      if (res.statusCode === 409) {
        expect(res.json()).toMatchObject({ code: 'LIMIT_EXCEEDED', remaining: 0 });
        break;
      }
      expect(res.statusCode).toBe(201);
    }
    expect(await holdsOf(event.id, buyer.id)).toBe(limit);
  }, 60_000);
});
