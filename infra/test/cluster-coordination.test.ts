// How cluster commands and the supervisor take turns (the cluster lock), and the
// supervisor's restart back-off, without a cluster: real processes hold the lock.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClusterLock } from '../cluster/lock.ts';
import { BACKOFF, restartDelay } from '../cluster/supervisor.ts';

const runDir = mkdtempSync(join(tmpdir(), 'tickets-lock-'));
const lockFile = join(runDir, 'cluster.lock');
const previousRunDir = process.env.TICKETS_RUN_DIR;

beforeAll(() => {
  chmodSync(runDir, 0o755);
  process.env.TICKETS_RUN_DIR = runDir;
});

afterAll(() => {
  if (previousRunDir === undefined) delete process.env.TICKETS_RUN_DIR;
  else process.env.TICKETS_RUN_DIR = previousRunDir;
  rmSync(runDir, { recursive: true, force: true });
});

/** A process that lives for `ms`; resolves once it has exited. */
function liveProcess(ms: number): { pid: number; exited: Promise<void> } {
  const child = spawn('sleep', [String(ms / 1000)], { stdio: 'ignore' });
  return { pid: child.pid as number, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
}

describe('cluster lock', () => {
  it('when its holder died, then the lock is taken over', async () => {
    const dead = liveProcess(0);
    await dead.exited;
    writeFileSync(lockFile, String(dead.pid));
    const seen = await withClusterLock(async () => readFileSync(lockFile, 'utf8'), { waitMs: 1_000 });
    expect(seen).toBe(String(process.pid));
    expect(existsSync(lockFile)).toBe(false);
  });

  it('when a live process holds it, then a command waits for it, and gives up after its wait', async () => {
    const holder = liveProcess(1_500);
    writeFileSync(lockFile, String(holder.pid));
    await expect(withClusterLock(async () => 'never', { waitMs: 300 })).rejects.toThrow(
      `another cluster command (pid ${holder.pid}) is running`,
    );
    const waitedFor: number[] = [];
    const started = Date.now();
    const ran = await withClusterLock(async () => Date.now(), { onWait: (pid) => waitedFor.push(pid) });
    expect(waitedFor).toEqual([holder.pid]);
    // The holder exited without removing its file: taken over once it was gone.
    expect(ran - started).toBeGreaterThanOrEqual(1_000);
    await holder.exited;
  });

  it('when tasks of one process (the supervisor) want it at once, then they hold it one after another', async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        withClusterLock(async () => {
          inside++;
          most = Math.max(most, inside);
          await delay(20);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(existsSync(lockFile)).toBe(false);
  });

  it('when the work fails, then the lock is released all the same', async () => {
    await expect(
      withClusterLock(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(lockFile)).toBe(false);
    expect(await withClusterLock(async () => 'next')).toBe('next');
  });
});

describe('restart back-off', () => {
  it('doubles from 0.5 s and stops growing at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map(restartDelay)).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000,
    ]);
    expect(BACKOFF.resetAfterMs).toBeGreaterThan(BACKOFF.maxMs);
  });
});
