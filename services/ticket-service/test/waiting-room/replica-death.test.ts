// A replica that dies while its waiting room admits: the other replica keeps admitting
// on schedule, and customers who joined through the dead one buy through it.
import { buildTestApp } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import type { Buyer } from '../support/buyers.ts';
import {
  b,
  buyers,
  clock,
  hold,
  join,
  now,
  roomEvent,
  stateOf,
  statesOf,
  useTwoReplicas,
} from './support.ts';

useTwoReplicas();

describe('a replica that dies mid-admission', () => {
  it('when one replica closes while the queue is being admitted, then the other keeps admitting on schedule', async () => {
    clock.ms = Date.now();
    const opening = clock.ms + 5_000;
    const dying = await buildTestApp({ replicaId: 'wr-dying' }, { now });
    const event = await roomEvent(60, opening, dying);
    const crowd = await buyers(20);
    for (const [i, u] of crowd.entries()) await join(i % 2 ? b : dying, u, event.id);
    clock.ms = opening + 4_000;
    // The draw and the first admissions happen on the replica that is about to die.
    const early = await statesOf(crowd, event.id, [dying]);
    expect(early.filter((s) => s.state === 'admitted')).toHaveLength(5);
    await dying.close();

    for (const seconds of [9, 14, 19]) {
      clock.ms = opening + seconds * 1000;
      const answers = await statesOf(crowd, event.id, [b]);
      expect(answers.filter((s) => s.state === 'admitted')).toHaveLength(seconds + 1);
    }
    // A customer who joined through the dead replica buys through the living one.
    const viaDead = crowd.filter((_, i) => i % 2 === 0);
    const answer = await stateOf(b, viaDead[0] as Buyer, event.id);
    expect(answer.state).toBe('admitted');
    expect((await hold(b, viaDead[0] as Buyer, event.id, answer.admissionToken)).statusCode).toBe(201);
  });
});
