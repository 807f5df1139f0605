// The "has this key been used?" questions of refusals: one statement in flight,
// the questions asked meanwhile go together after it. The statements run on the
// real database; the wrapper only decides when the first one's answer comes back,
// so that "asked while it is on its way" does not depend on the machine's speed.
import { randomUUID } from 'node:crypto';
import { createEvent, signup } from '@tickets/testkit/app';
import { buyNow, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { createUsedKeys } from '../../src/domain/purchase/used-keys.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { admin, app, bigHall, until, useBatchApp } from './support.ts';

useBatchApp();

/**
 * The app's client, with the answers of the statements `held` picks (by their
 * number, from 1; all by default) held back until `release()`.
 */
function heldBack(db: PrismaClient, held: (statement: number) => boolean = () => true) {
  let release: () => void = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  let statements = 0;
  const client = {
    $queryRaw: async (...args: Parameters<PrismaClient['$queryRaw']>) => {
      const statement = ++statements;
      const rows = await db.$queryRaw(...args);
      if (held(statement)) await released;
      return rows;
    },
  } as unknown as PrismaClient;
  return { client, release, statements: () => statements };
}

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

/** A buyer who bought with the key `used`, and another buyer. */
async function aBuyerWithAUsedKey() {
  const [buyer, other] = [await signup(app), await signup(app)];
  const event = await createEvent(app, admin, bigHall);
  const seat = (await seatsOf(app, event.id)).seats[0]?.id as string;
  const used = randomUUID();
  expect((await buyNow(app, buyer, event.id, { seatIds: [seat] }, used)).statusCode).toBe(201);
  return { buyer, other, used };
}

describe('used-key questions', () => {
  it('when questions are asked while the statement before them is on its way, then they wait for it and go as one statement', async () => {
    const { buyer, other, used } = await aBuyerWithAUsedKey();

    const db = heldBack(app.db);
    const keys = createUsedKeys(db.client);
    const first = keys.has(other.id, randomUUID());
    await until(() => db.statements() === 1);
    // Five more, each in a turn of its own (as refusals arrive), while the first is out.
    const later: Promise<boolean>[] = [];
    for (let i = 0; i < 5; i++) {
      await nextTurn();
      later.push(keys.has(i === 2 ? buyer.id : other.id, i === 2 ? used : randomUUID()));
    }
    await new Promise((r) => setTimeout(r, 30));
    expect(db.statements()).toBe(1);
    db.release();
    expect(await Promise.all([first, ...later])).toEqual([false, false, false, true, false, false]);
    expect(db.statements()).toBe(2);
  });

  it("when more than a statement's worth of questions wait, then they go in statements one after another and all are answered", async () => {
    const buyer = await signup(app);
    const db = heldBack(app.db);
    const keys = createUsedKeys(db.client);
    const first = keys.has(buyer.id, randomUUID());
    await until(() => db.statements() === 1);
    await nextTurn();
    const waiting = Array.from({ length: 1_500 }, () => keys.has(buyer.id, randomUUID()));
    await new Promise((r) => setTimeout(r, 30));
    expect(db.statements()).toBe(1);
    db.release();
    const answers = await Promise.all([first, ...waiting]);
    expect(answers).toHaveLength(1_501);
    expect(answers.every((a) => a === false)).toBe(true);
    // 1,000 per statement at most: the 1,500 took two, after the first.
    expect(db.statements()).toBe(3);
  });

  it('when a round under the event lock asks while a refusal statement is on its way, then it does not wait for it', async () => {
    const { buyer, other, used } = await aBuyerWithAUsedKey();
    // Only the first statement (a refusal's) is held back.
    const db = heldBack(app.db, (statement) => statement === 1);
    const keys = createUsedKeys(db.client);
    const refusal = keys.has(other.id, randomUUID());
    await until(() => db.statements() === 1);
    await nextTurn();
    expect(
      await Promise.all([keys.hasUnderLock(buyer.id, used), keys.hasUnderLock(other.id, randomUUID())]),
    ).toEqual([true, false]);
    expect(db.statements()).toBe(2);
    db.release();
    expect(await refusal).toBe(false);
  });

  it('when a question is asked on a quiet replica, then it goes at the end of the turn', async () => {
    const buyer = await signup(app);
    const db = heldBack(app.db);
    db.release();
    const keys = createUsedKeys(db.client);
    const answers = [keys.has(buyer.id, randomUUID()), keys.has(buyer.id, randomUUID())];
    expect(await Promise.all(answers)).toEqual([false, false]);
    expect(db.statements()).toBe(1);
    // The next question, after the answer, goes at once in a statement of its own.
    expect(await keys.has(buyer.id, randomUUID())).toBe(false);
    expect(db.statements()).toBe(2);
  });

  it('when the statement fails, then its questions fail and the ones waiting behind it still get their answers', async () => {
    const buyer = await signup(app);
    let calls = 0;
    let fail: (err: Error) => void = () => {};
    const client = {
      $queryRaw: (...args: Parameters<PrismaClient['$queryRaw']>) => {
        calls++;
        if (calls === 1) return new Promise((_, reject) => (fail = reject));
        return app.db.$queryRaw(...args);
      },
    } as unknown as PrismaClient;
    const keys = createUsedKeys(client);
    const first = keys.has(buyer.id, randomUUID());
    await until(() => calls === 1);
    await nextTurn();
    const second = keys.has(buyer.id, randomUUID());
    await nextTurn();
    expect(calls).toBe(1);
    fail(new Error('connection lost'));
    await expect(first).rejects.toThrow('connection lost');
    expect(await second).toBe(false);
    expect(calls).toBe(2);
  });
});
