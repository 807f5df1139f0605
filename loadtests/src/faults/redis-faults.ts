// The Redis faults: a hung master (SIGSTOP), two masters that lose their keys
// (FLUSHALL while the event lock is held), and a master shut down and started again.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pollUntil, processAlive, stopProcess } from '@tickets/infra/process';
import { startRedis } from '@tickets/infra/redis';
import { readClusterFile } from '../processes.ts';
import { freeze, redis, thaw } from './cluster.ts';
import { waitForLock } from './event-lock.ts';
import { type FaultKind, secondsText } from './fault-kind.ts';

export const redisPause: FaultKind = {
  name: 'redis-pause',
  summary: 'SIGSTOP of Redis master #1 (a hung master)',
  bound: () => ({ what: 'stall with a hung Redis master', limitMs: 2_000, on: 'stall' }),
  async inject(ctx) {
    const master = readClusterFile(ctx.stateFile).redis?.[0];
    if (!master) throw new Error('cluster.json lists no Redis master');
    const startedAt = Date.now();
    freeze(master.pid);
    try {
      await sleep(ctx.settings.redisPauseMs);
    } finally {
      thaw(master.pid);
    }
    return {
      target: `Redis #1 (port ${master.port})`,
      startedAt,
      endedAt: Date.now(),
      notes: [`SIGSTOP to Redis #1 (pid ${master.pid}) for ${secondsText(ctx.settings.redisPauseMs)}`],
      measures: {},
      failures: [],
    };
  },
};

export const redisFlush: FaultKind = {
  name: 'redis-flush',
  summary: 'FLUSHALL on Redis masters #1 and #2 while the event lock is held (a restart that lost its keys)',
  async inject(ctx) {
    const masters = readClusterFile(ctx.stateFile).redis ?? [];
    const value = await waitForLock(ctx, ctx.settings.probeMs);
    const startedAt = Date.now();
    const failures: string[] = [];
    for (const r of masters.slice(0, 2))
      await redis(r.port, ['FLUSHALL']).catch((err: Error) =>
        failures.push(`FLUSHALL on port ${r.port} failed: ${err.message}`),
      );
    return {
      target: 'Redis #1 and #2',
      startedAt,
      endedAt: Date.now(),
      notes: [
        `FLUSHALL on Redis #1 and #2 ${value ? 'while the event lock was held' : 'with no event lock held (none seen within the probe time)'}`,
      ],
      measures: { lockHeldAtFlush: value !== undefined },
      failures,
    };
  },
};

export const redisRestart: FaultKind = {
  name: 'redis-restart',
  summary: 'SHUTDOWN of Redis master #3, started again on its port with its configuration after a while',
  async inject(ctx) {
    const state = readClusterFile(ctx.stateFile);
    const index = (state.redis?.length ?? 0) - 1;
    const master = state.redis?.[index];
    if (!master) throw new Error('cluster.json lists no Redis master');
    const name = `Redis #${index + 1}`;
    const notes: string[] = [];
    const failures: string[] = [];
    const startedAt = Date.now();
    // SHUTDOWN answers nothing when it works (the connection just closes): its exit is awaited instead.
    void redis(master.port, ['SHUTDOWN']).catch(() => undefined);
    try {
      await pollUntil(() => !processAlive(master.pid), `${name} to exit`, 10_000);
    } catch {
      failures.push(`${name} (pid ${master.pid}) did not exit on SHUTDOWN within 10 s; killed`);
      await stopProcess(master.pid, 1_000, 'SIGKILL');
    }
    const downAt = Date.now();
    notes.push(`SHUTDOWN of ${name} (port ${master.port}) took ${downAt - startedAt} ms`);
    await sleep(ctx.settings.redisDownMs);
    let endedAt = Date.now();
    try {
      const again = await startRedis({
        dir: master.dir,
        port: master.port,
        appendOnly: true,
        detached: true,
      });
      endedAt = Date.now();
      await recordRedisPid(ctx.stateFile, index, again.pid);
      notes.push(
        `${name} down for ${secondsText(endedAt - downAt)}, started again on port ${master.port} as pid ${again.pid} (cluster.json updated)`,
      );
    } catch (err) {
      failures.push(`${name} could not be started again: ${(err as Error).message}`);
    }
    return { target: `${name} (port ${master.port})`, startedAt, endedAt, notes, measures: {}, failures };
  },
};

/**
 * A restarted Redis master has a new pid; `cluster down` stops masters by the pids of
 * cluster.json, so the file is updated, under the cluster's lock like every change to it.
 */
async function recordRedisPid(stateFile: string, index: number, pid: number): Promise<void> {
  const { withClusterLock } = await import('@tickets/infra/cluster/lock');
  const previous = process.env.TICKETS_RUN_DIR;
  process.env.TICKETS_RUN_DIR = join(stateFile, '..');
  try {
    await withClusterLock(async () => {
      const state = JSON.parse(readFileSync(stateFile, 'utf8'));
      state.redis[index].pid = pid;
      writeFileSync(`${stateFile}.faults`, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(`${stateFile}.faults`, stateFile);
    });
  } finally {
    if (previous === undefined) delete process.env.TICKETS_RUN_DIR;
    else process.env.TICKETS_RUN_DIR = previous;
  }
}
