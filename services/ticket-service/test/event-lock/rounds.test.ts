// The rounds of a hold (src/event-lock/rounds.ts): each round takes what is queued, at
// most maxBatch requests, in the order they came, and runs those of one kind together.
import { describe, expect, it } from 'vitest';
import { createEventLocker } from '../../src/event-lock/locker.ts';
import type { BatchRun } from '../../src/event-lock/types.ts';
import {
  clients,
  epochs,
  gate,
  newEventId,
  noWakeups,
  patient,
  recorder,
  useRedisClients,
} from './support.ts';

useRedisClients();

describe('rounds of a hold', () => {
  it('when more than maxBatch requests are queued, then each round takes at most maxBatch of them, first come first served', async () => {
    const eventId = newEventId('max-batch');
    const recorded = recorder();
    const locker = createEventLocker(
      clients,
      patient({ maxBatch: 3 }),
      recorded.observer,
      epochs(),
      noWakeups(),
    );
    const rounds: number[][] = [];
    const run: BatchRun<number, string> = async (_lock, items) => {
      rounds.push(items);
      return items.map((i) => ({ ok: true, value: `item ${i}` }));
    };
    const started = gate();
    const finish = gate();
    try {
      // The hold is busy with a first request while seven more queue behind it.
      const first = locker.withEventLock(eventId, async () => {
        started.open();
        await finish.opened;
      });
      await started.opened;
      const items = [1, 2, 3, 4, 5, 6, 7];
      const answers = items.map((i) => locker.inBatch(eventId, 'sale', i, run));
      expect(locker.queued()).toBe(7);
      finish.open();
      await first;

      await expect(Promise.all(answers)).resolves.toEqual(items.map((i) => `item ${i}`));
      expect(rounds).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
      expect(recorded.batches).toEqual([3, 3, 1]);
      // One hold served them all.
      expect(recorded.acquisitions).toBe(1);
    } finally {
      finish.open();
      locker.close();
    }
  });
});
