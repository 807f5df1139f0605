// Recognises failures of a dependency (database or Redis) as opposed to bugs, so
// that the client hears 503 "retry" rather than 500.
import { LockUnavailableError } from './event-lock.ts';

const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03',
]);

export function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof LockUnavailableError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (PRISMA_UNAVAILABLE.has(code) || NET_CODES.has(code))) return true;
    const message = String((e as { message?: unknown }).message ?? '');
    if (
      /Connection terminated|connection timeout|Can't reach database|Stream isn't writeable/i.test(message)
    ) {
      return true;
    }
  }
  return false;
}
