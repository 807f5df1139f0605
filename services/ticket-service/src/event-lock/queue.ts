// Each event's queue on this replica. Requests for one event first queue inside
// the replica, so only one of them per replica competes for the Redlock. The
// queue is bounded in length and in wait: beyond either, a request is refused at
// once (LockUnavailableError, answered 503 + Retry-After) instead of waiting
// behind thousands of others.
import { LockUnavailableError } from './errors.ts';
import type { LockSettings } from './settings.ts';
import type { BatchRun, HeldLock, LockObserver } from './types.ts';

export interface Job {
  /** Set for batched jobs; jobs of one kind share a round. */
  kind?: string;
  item?: unknown;
  run?: BatchRun<unknown, unknown>;
  work?: (lock: HeldLock) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  timer?: NodeJS.Timeout;
}

export interface EventQueues {
  /**
   * Queues a job: 'refused' when its event's queue is full (the job is failed),
   * 'joined' when the queue existed, else the new queue, which nobody serves yet.
   */
  add(eventId: string, job: Job): 'refused' | 'joined' | Job[];
  /** Takes up to `max` jobs from the front of a queue. */
  take(queue: Job[], max: number): Job[];
  /** Fails every job of a queue. */
  failAll(queue: Job[], err: unknown): void;
  /** The queue ran empty and its drain ended: a later request starts a new one. */
  forget(eventId: string): void;
  /** Requests waiting, over all events. */
  waiting(): number;
}

export function createEventQueues(
  settings: Pick<LockSettings, 'maxQueue' | 'queueTimeoutMs'>,
  observer: LockObserver,
): EventQueues {
  const queues = new Map<string, Job[]>();
  let waiting = 0;

  function take(queue: Job[], max: number): Job[] {
    const jobs = queue.splice(0, max);
    waiting -= jobs.length;
    for (const job of jobs) clearTimeout(job.timer);
    return jobs;
  }

  return {
    add(eventId, job) {
      let queue = queues.get(eventId);
      if (queue && queue.length >= settings.maxQueue) {
        observer.failed('queue_full');
        job.reject(new LockUnavailableError('too many buyers are waiting for this event; retry'));
        return 'refused';
      }
      // A request that waited its whole allowance is answered now, not when the
      // lock finally comes round.
      job.timer = setTimeout(() => {
        const q = queues.get(eventId);
        const at = q?.indexOf(job) ?? -1;
        if (!q || at < 0) return;
        q.splice(at, 1);
        waiting--;
        observer.failed('queue_timeout');
        job.reject(new LockUnavailableError('the event is too busy; retry'));
      }, settings.queueTimeoutMs);
      waiting++;
      if (queue) {
        queue.push(job);
        return 'joined';
      }
      queue = [job];
      queues.set(eventId, queue);
      return queue;
    },
    take,
    failAll(queue, err) {
      for (const job of take(queue, queue.length)) job.reject(err);
    },
    forget(eventId) {
      queues.delete(eventId);
    },
    waiting: () => waiting,
  };
}
