// Our own bounded waits (src/lib/deadline.ts, the event lock) that give up are 503.
import { describe, expect, it } from 'vitest';
import { LockUnavailableError } from '../../src/event-lock/errors.ts';
import { DeadlineError, withDeadline } from '../../src/lib/deadline.ts';
import { isUnavailable } from '../../src/lib/unavailable.ts';
import { failure } from './support.ts';

describe('our own bounded waits are 503', () => {
  it('a deadline that passed and a lock that could not be taken', async () => {
    const late = await failure(() => withDeadline(new Promise(() => {}), 10, 'a wait'));
    expect(late).toBeInstanceOf(DeadlineError);
    expect(isUnavailable(late)).toBe(true);
    expect(isUnavailable(new LockUnavailableError('busy'))).toBe(true);
  });
});
