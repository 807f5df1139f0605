// A bound on how long we wait for something that may never answer (a hung Redis
// master, a stuck release). A promise cannot be cancelled: the work goes on after
// the deadline, and `late` receives its result if it still arrives, so that
// whatever it took (a lock) can be given back.

export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/** Settles as `work` does, or rejects with a DeadlineError once `ms` have passed. */
export function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  late?: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(new DeadlineError(what, ms));
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        if (expired) late?.(value);
        else resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        if (!expired) reject(err);
      },
    );
  });
}
