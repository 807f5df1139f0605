// Stopping a replica around the event lock and telling, from the lock's key on the
// Redis masters, whether the stopped replica held it: a live holder gives its lock
// back, a stopped one cannot, so its key runs out.
import { setTimeout as sleep } from 'node:timers/promises';
import { readClusterFile } from '../processes.ts';
import { freeze, holdsALock, lockState, lockValue, type Replica, thaw } from './cluster.ts';
import type { FaultContext, Injection } from './fault-kind.ts';

export const redisPorts = (stateFile: string) => (readClusterFile(stateFile).redis ?? []).map((r) => r.port);

export async function waitForLock(ctx: FaultContext, maxMs: number): Promise<string | undefined> {
  const ports = redisPorts(ctx.stateFile);
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const value = await lockValue(ports, ctx.eventId);
    if (value) return value;
    await sleep(10);
  }
  return undefined;
}

/**
 * Stops `replica` at a moment it holds the event lock, as far as can be told beforehand:
 * the key is taken and the replica's counters say it holds a lock (or, if they do not
 * say, the key alone). After `maxMs` it is stopped anyway. Returns the key's value at the stop.
 */
export async function stopWhileHolding(ctx: FaultContext, replica: Replica, maxMs: number) {
  const ports = redisPorts(ctx.stateFile);
  const deadline = Date.now() + maxMs;
  for (;;) {
    const [holding, lock] = await Promise.all([holdsALock(replica.port), lockState(ports, ctx.eventId)]);
    // A lease about to run out anyway says little about who held it: wait for a fresher one.
    if ((lock && lock.pttl >= 500 && holding !== false) || Date.now() >= deadline) {
      freeze(replica.pid);
      return { at: Date.now(), value: holding === false ? undefined : lock?.value };
    }
    await sleep(10);
  }
}

/**
 * Follows the lock value a stopped replica may hold until it is gone or `until`. A live
 * holder gives its lock back with part of the lease left (the service stops with a third
 * left); a stopped one cannot, so its key runs out: gone with (almost) no time left
 * means the stopped replica held it.
 */
async function followLock(ctx: FaultContext, value: string, until: number) {
  const ports = redisPorts(ctx.stateFile);
  let firstPttl: number | undefined;
  let lastPttl: number | undefined;
  while (Date.now() < until) {
    const now = await lockState(ports, ctx.eventId);
    if (now?.value !== value) return { gone: true, at: Date.now(), firstPttl, lastPttl };
    firstPttl ??= now.pttl;
    lastPttl = now.pttl;
    await sleep(20);
  }
  return { gone: false, at: Date.now(), firstPttl, lastPttl };
}

/** Keeps `replica` stopped for `pauseMs` from `stoppedAt`, saying what became of the lock meanwhile. */
export async function holdStopped(
  ctx: FaultContext,
  replica: Replica,
  stoppedAt: number,
  pauseMs: number,
  valueAtStop: string | undefined,
  injection: Injection,
): Promise<void> {
  const end = stoppedAt + pauseMs;
  if (valueAtStop === undefined) {
    injection.measures.heldLockAtStop = false;
    injection.notes.push(`${replica.id} did not hold the event lock at the stop`);
  } else {
    const fate = await followLock(ctx, valueAtStop, end);
    // Only a key seen counting down for a while tells: one already at its end when first
    // seen could have been left by anyone.
    const watched = (fate.firstPttl ?? 0) - (fate.lastPttl ?? 0) >= 300;
    const ranOut = fate.gone && (fate.lastPttl ?? 0) <= 150;
    injection.measures.heldLockAtStop = !fate.gone || (ranOut && watched) ? true : ranOut ? null : false;
    if (fate.gone) injection.measures.lockFreeAfterMs = fate.at - stoppedAt;
    injection.notes.push(
      !fate.gone
        ? `the event lock held at the stop was still held when ${replica.id} resumed`
        : ranOut && watched
          ? `${replica.id} held the event lock: its key ran out ${fate.at - stoppedAt} ms into the stop (nobody gave it back)`
          : ranOut
            ? `the event lock ran out ${fate.at - stoppedAt} ms into the stop: too soon to tell who held it`
            : `the event lock was held at the stop by another replica: it was given back ${fate.at - stoppedAt} ms into the stop with ${fate.lastPttl} ms left`,
    );
  }
  await sleep(Math.max(0, end - Date.now()));
  thaw(replica.pid);
  injection.endedAt = Date.now();
}
