// One change to the cluster at a time (up, scale, down, and the supervisor's
// restarts). The lock is a file holding its owner's pid, created atomically
// (link of a finished file), so nobody ever reads a half-written one; a lock
// whose owner died is broken. A command that finds the lock taken waits for it.
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { processAlive } from '../lib/process.ts';
import { paths, runDir } from './paths.ts';

export interface LockOptions {
  /** How long to wait for another holder; Infinity waits for ever. */
  waitMs?: number;
  /** Called once when the lock is taken by someone else and we start waiting. */
  onWait?: (holder: number) => void;
}

// Within one process (the supervisor restarts several replicas at once) holders
// queue here: the file says only "this pid", not which task of it.
let queue: Promise<unknown> = Promise.resolve();

export function withClusterLock<T>(work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const turn = queue.then(() => holdWhile(work, options));
  queue = turn.catch(() => undefined);
  return turn;
}

async function holdWhile<T>(work: () => Promise<T>, options: LockOptions): Promise<T> {
  await acquire(options);
  try {
    return await work();
  } finally {
    release();
  }
}

async function acquire({ waitMs = 120_000, onWait }: LockOptions): Promise<void> {
  mkdirSync(runDir(), { recursive: true });
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const holder = tryAcquire();
    if (holder === undefined) return;
    if (holder !== 0 && !processAlive(holder)) {
      breakStale(holder);
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`another cluster command (pid ${holder}) is running`);
    if (!told && holder !== 0) {
      onWait?.(holder);
      told = true;
    }
    await delay(100);
  }
}

/** undefined: the lock is ours; otherwise the holder's pid (0 when it vanished meanwhile). */
function tryAcquire(): number | undefined {
  const mine = `${paths.lock()}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    linkSync(mine, paths.lock());
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(mine);
  }
  return readHolder(paths.lock()) ?? 0;
}

function readHolder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Moves a dead holder's lock aside; puts it back if, in between, a live holder had taken it. */
function breakStale(dead: number): void {
  const aside = `${paths.lock()}.stale.${process.pid}`;
  try {
    renameSync(paths.lock(), aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = readHolder(aside);
  if (moved !== dead && moved !== undefined && processAlive(moved)) {
    try {
      linkSync(aside, paths.lock());
    } catch {
      // taken again meanwhile: its holder goes first
    }
  }
  unlinkSync(aside);
}

function release(): void {
  if (readHolder(paths.lock()) === process.pid) unlinkSync(paths.lock());
}
