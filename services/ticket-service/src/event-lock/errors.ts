/**
 * The lock could not be had (no quorum, too busy, a queue full or waited out, a
 * lease run out before the epoch): nothing ran, so the answer is a definite 503
 * with Retry-After (lib/unavailable.ts), payments are voided and keys freed.
 */
export class LockUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LockUnavailableError';
  }
}
