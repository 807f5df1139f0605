// The faults a run injects, in order, and the choice of some of them (--faults). Each
// kind is in a file of its own: replica-kill.ts, replica-pause.ts (and in a
// transaction), redis-faults.ts (pause, flush, restart), pg-restart.ts, clock-skew.ts;
// what they share is in fault-kind.ts, event-lock.ts and pg-sessions.ts.
import { clockSkew } from './clock-skew.ts';
import type { FaultKind } from './fault-kind.ts';
import { postgresRestart } from './pg-restart.ts';
import { redisFlush, redisPause, redisRestart } from './redis-faults.ts';
import { replicaKill } from './replica-kill.ts';
import { replicaPause, replicaPauseInTransaction } from './replica-pause.ts';

/** Every fault, in the order a run injects them. */
export const faultKinds: FaultKind[] = [
  replicaKill,
  replicaPause,
  replicaPauseInTransaction,
  redisPause,
  redisFlush,
  redisRestart,
  postgresRestart,
  clockSkew,
];

/** The faults named in `list` (comma-separated), in its order; every fault without one. */
export function selectFaults(list: string | undefined): FaultKind[] {
  if (!list) return faultKinds;
  return list.split(',').map((name) => {
    const kind = faultKinds.find((k) => k.name === name.trim());
    if (!kind)
      throw new Error(`unknown fault "${name}"; the faults are ${faultKinds.map((k) => k.name).join(', ')}`);
    return kind;
  });
}
