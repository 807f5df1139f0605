// One hold of an event's lock as its work sees it: the lease's end, and the
// fencing epoch taken lazily (epoch.ts issues it; fence.ts checks it).
import { LockUnavailableError } from './errors.ts';
import { eventLockKey } from './redlock.ts';
import type { LockSettings } from './settings.ts';
import type { HeldLock, TakeEpoch } from './types.ts';

export function heldLock(
  eventId: string,
  lease: { expiration: number },
  settings: Pick<LockSettings, 'clockSkewMs' | 'minValidityMs'>,
  takeEpoch: TakeEpoch,
): HeldLock {
  const held: HeldLock = {
    resource: eventLockKey(eventId),
    epoch: undefined,
    version: Number.NaN,
    lost: false,
    expiresAt: lease.expiration + settings.clockSkewMs,
    remainingMs: () => lease.expiration + settings.clockSkewMs - Date.now(),
    async takeEpoch() {
      if (held.epoch !== undefined) return;
      // A holder whose lease ran out must not claim a new epoch: it would
      // fence out the replica that now holds the lock.
      if (held.remainingMs() < settings.minValidityMs) {
        held.lost = true;
        throw new LockUnavailableError('the event lock ran out; retry');
      }
      try {
        const taken = await takeEpoch(eventId);
        held.epoch = taken.epoch;
        held.version = taken.version;
      } catch (err) {
        // Nothing ran: as definite as a refusal (payments are voided, keys freed).
        throw new LockUnavailableError('the fencing epoch could not be taken; retry', { cause: err });
      }
    },
  };
  return held;
}
