// Recognises failures of a dependency (database or Redis) as opposed to bugs, so
// that the client hears 503 "retry" rather than 500.
//
// Prisma wraps driver errors layers deep, and differently per call. A raw query's
// failure is a PrismaClientKnownRequestError P2010 (a model query's: P2039, or
// P1001 when unreachable) whose `meta.driverAdapterError` is a DriverAdapterError,
// whose `cause` is adapter-pg's description `{ kind, code, originalCode }`. What
// the adapter does not recognise (a dead connection, a pool timeout) comes
// through as node-postgres threw it, with a message and no code. So every layer
// is looked at, and a failure counts by its code where it has one, else by the
// driver's own words. Anything else (a syntax error, a constraint, a TypeError)
// is a bug and stays a 500.

import { LockUnavailableError } from '../event-lock/errors.ts';
import { DeadlineError } from './deadline.ts';

// SQLSTATEs that mean "not now", never "this request is wrong".
const PG_UNAVAILABLE = new Set([
  '57P01', // admin_shutdown: pg_terminate_backend, a fast shutdown
  '57P02', // crash_shutdown: another backend crashed
  '57P03', // cannot_connect_now: starting, stopping, recovering
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '25P03', // idle_in_transaction_session_timeout
  '53300', // too_many_connections
]);
// Class 08: connection exceptions.
const PG_CONNECTION_EXCEPTION = /^08[0-9A-Z]{3}$/;
// Prisma: database unreachable or timed out, no connection from the pool, a
// transaction that could not start or outlived its timeout.
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
// adapter-pg's kinds for socket failures and a full server.
const ADAPTER_UNAVAILABLE = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
]);
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
// Failures the drivers report in words only.
const DRIVER_MESSAGES = new RegExp(
  [
    // pg-pool: no free connection in time, or a new one could not open in time
    'timeout exceeded when trying to connect',
    // node-postgres: the server closed the session ("unexpectedly", "due to connection timeout")
    'Connection terminated',
    // node-postgres: the next statement on a session the server ended (57P01, 25P03)
    'connection error and is not queryable',
    "Can't reach database server",
    // ioredis: a hung node, a node that is down, a connection dropped under a command
    '^Command timed out$',
    "Stream isn't writeable",
    '^Connection is closed\\.$',
    '^Socket timeout\\. Expecting data',
  ].join('|'),
);

function saysUnavailable(e: object): boolean {
  if (e instanceof LockUnavailableError || e instanceof DeadlineError) return true;
  const { code, originalCode, kind, name, message } = e as Record<string, unknown>;
  // ioredis gave up on a command after its reconnection attempts.
  if (name === 'MaxRetriesPerRequestError') return true;
  for (const c of [code, originalCode]) {
    if (typeof c !== 'string') continue;
    if (PG_UNAVAILABLE.has(c) || PG_CONNECTION_EXCEPTION.test(c)) return true;
    if (PRISMA_UNAVAILABLE.has(c) || NET_CODES.has(c)) return true;
  }
  if (typeof kind === 'string' && ADAPTER_UNAVAILABLE.has(kind)) return true;
  return typeof message === 'string' && DRIVER_MESSAGES.test(message);
}

export function isUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [err];
  while (pending.length > 0 && seen.size < 20) {
    const e = pending.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (saysUnavailable(e)) return true;
    const { cause, meta, errors } = e as { cause?: unknown; meta?: unknown; errors?: unknown };
    pending.push(cause, (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return false;
}
