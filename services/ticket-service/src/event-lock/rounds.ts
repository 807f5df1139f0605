// One round of a lock hold: everything it took from the queue, requests of the
// same batch kind together in ONE call (one transaction, see
// domain/purchase/sell-batch.ts), other work one job at a time.
import type { Job } from './queue.ts';
import type { BatchRun, HeldLock, LockObserver } from './types.ts';

export async function serveRound(jobs: Job[], held: HeldLock, observer: LockObserver): Promise<void> {
  const batches = new Map<string, Job[]>();
  const singles: Job[] = [];
  for (const job of jobs) {
    if (job.kind === undefined) singles.push(job);
    else batches.set(job.kind, [...(batches.get(job.kind) ?? []), job]);
  }
  for (const group of batches.values()) {
    const started = performance.now();
    let settle: () => void;
    try {
      const run = group[0]?.run as BatchRun<unknown, unknown>;
      const outcomes = await run(
        held,
        group.map((j) => j.item),
      );
      settle = () =>
        group.forEach((job, i) => {
          const outcome = outcomes[i];
          if (!outcome) job.reject(new Error('batch returned no outcome for an item'));
          else if (outcome.ok) job.resolve(outcome.value);
          else job.reject(outcome.error);
        });
    } catch (err) {
      settle = () => {
        for (const job of group) job.reject(err);
      };
    }
    observer.batch?.(group.length, (performance.now() - started) / 1000);
    // The answers (capture, response) are written at the end of this turn of the
    // event loop, after the next round has been decided from the queue: the lock
    // is not held up by them. (The sale writer sends that round's statement at
    // the end of the same turn, after them; sending it at once measured no
    // different in hot-event, 2026-11-30.)
    setImmediate(settle);
  }
  for (const job of singles) {
    try {
      job.resolve(await job.work?.(held));
    } catch (err) {
      job.reject(err);
    }
  }
}
