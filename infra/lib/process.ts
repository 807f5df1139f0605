import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** True while the process exists and is not a zombie waiting to be reaped. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` until it returns true; throws with `what` once `timeoutMs` has passed. */
export async function pollUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

/**
 * Blocks the thread until the process is gone or the deadline passes. Only for exit and
 * signal handlers, where the event loop will not run again.
 */
export function waitForExitSync(pid: number, timeoutMs = 10_000): boolean {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (processAlive(pid)) {
    if (Date.now() >= deadline) return false;
    Atomics.wait(pause, 0, 0, 20);
  }
  return true;
}

/** Signals a process (by pid, from any invocation) and waits for it to exit; SIGKILL after the grace. */
export async function stopProcess(
  pid: number,
  graceMs = 15_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (!processAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  try {
    await pollUntil(() => !processAlive(pid), `process ${pid} to exit`, graceMs);
  } catch {
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    await pollUntil(() => !processAlive(pid), `process ${pid} to die`, 5_000);
  }
}
