// replica-pause and replica-pause-in-tx: SIGSTOP of the event's replica past the lock
// lease, at a moment it holds the event lock, or at one PostgreSQL shows it inside a
// transaction.
import { setTimeout as sleep } from 'node:timers/promises';
import { freeze, lockValue, thaw } from './cluster.ts';
import { holdStopped, redisPorts, stopWhileHolding } from './event-lock.ts';
import {
  type Bound,
  beginInjection,
  eventTarget,
  type FaultKind,
  type FaultSettings,
  secondsText,
} from './fault-kind.ts';
import { describeSessions, inTransaction, sessionsOf } from './pg-sessions.ts';

/** A paused holder keeps the event lock until its lease runs out: the sale may stall that long, and a second more. */
const leaseStall =
  (what: string) =>
  (s: FaultSettings): Bound => ({ what, limitMs: s.leaseMs + 1_000, on: 'stall' });

export const replicaPause: FaultKind = {
  name: 'replica-pause',
  summary:
    'SIGSTOP of the replica the gateway sends the event to, at a moment it holds the event lock, for longer than the lease',
  bound: leaseStall('stall while a holder is paused (lease + 1 s)'),
  async inject(ctx) {
    const { replica, notes } = eventTarget(ctx);
    const { at: startedAt, value } = await stopWhileHolding(ctx, replica, ctx.settings.probeMs);
    const injection = beginInjection(replica.id, startedAt, notes);
    try {
      notes.push(`SIGSTOP to ${replica.id} for ${secondsText(ctx.settings.pauseMs)}`);
      const sessions = await sessionsOf(ctx, replica.pid);
      injection.measures.inTransaction = sessions.some(inTransaction);
      notes.push(`its PostgreSQL sessions at the stop: ${describeSessions(sessions)}`);
      await holdStopped(ctx, replica, startedAt, ctx.settings.pauseMs, value, injection);
    } finally {
      thaw(replica.pid);
    }
    return injection;
  },
};

export const replicaPauseInTransaction: FaultKind = {
  name: 'replica-pause-in-tx',
  summary:
    "SIGSTOP of the event's replica at a moment PostgreSQL shows one of its sessions idle in transaction, for longer than the lease",
  bound: leaseStall('stall while a holder is paused in its transaction (lease + 1 s)'),
  async inject(ctx) {
    const { replica, notes } = eventTarget(ctx);
    const deadline = Date.now() + ctx.settings.probeMs;
    const ports = redisPorts(ctx.stateFile);
    let probes = 0;
    let probeStoppedMs = 0;
    // Short stops at random moments until one finds the replica inside a transaction: its
    // session is idle in transaction (the statement it sent has finished, the next one
    // will come from the stopped process). The stop that finds one is kept.
    for (;;) {
      const at = Date.now();
      freeze(replica.pid);
      probes++;
      let keep = false;
      try {
        await sleep(25);
        const sessions = await sessionsOf(ctx, replica.pid);
        keep = sessions.some(inTransaction) || Date.now() >= deadline;
        if (keep) {
          const value = await lockValue(ports, ctx.eventId);
          const injection = beginInjection(replica.id, at, notes, {
            inTransaction: sessions.some(inTransaction),
            probes,
            probeStoppedMs,
          });
          notes.push(
            sessions.some(inTransaction)
              ? `SIGSTOP to ${replica.id} for ${secondsText(ctx.settings.pauseMs)}, found inside a transaction by probe ${probes} (the ${probes - 1} earlier short stops took ${probeStoppedMs} ms in all)`
              : `no stop found ${replica.id} inside a transaction in ${probes} probes (${secondsText(ctx.settings.probeMs)}); it was stopped for ${secondsText(ctx.settings.pauseMs)} at a random moment instead`,
            `its PostgreSQL sessions at the stop: ${describeSessions(sessions)}`,
          );
          await holdStopped(ctx, replica, at, ctx.settings.pauseMs, value, injection);
          return injection;
        }
      } finally {
        thaw(replica.pid);
        if (!keep) probeStoppedMs += Date.now() - at;
      }
      await sleep(40 + Math.random() * 200);
    }
  },
};
