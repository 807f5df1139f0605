// Checks across settings that the schema cannot express: secrets strong enough,
// and the database's timeouts within the lock's lease.
import { ADMIN_PASSWORD_RULE, JWT_SECRET_RULE, weakSecretProblem } from '../lib/weak-secrets.ts';
import { ENV_NAMES } from './env-names.ts';
import type { Config } from './schema.ts';

// Outside the local development cluster and the tests (allowWeakSecrets), a
// secret copied from an example or chosen for a demo would let anyone mint tokens
// or log in as the admin: refuse to start instead, naming the variable.
export function secretProblems(c: Config): string[] {
  if (c.allowWeakSecrets) return [];
  const problems = [weakSecretProblem(ENV_NAMES.jwtSecret, c.jwtSecret, JWT_SECRET_RULE)];
  if (c.ticketCodeSecret !== undefined) {
    problems.push(weakSecretProblem(ENV_NAMES.ticketCodeSecret, c.ticketCodeSecret, JWT_SECRET_RULE));
  }
  if (c.adminPassword !== undefined) {
    problems.push(weakSecretProblem(ENV_NAMES.adminPassword, c.adminPassword, ADMIN_PASSWORD_RULE));
  }
  return problems.filter((p): p is string => p !== undefined);
}

// The relations plugins/external/prisma.ts relies on: a paused lock holder can
// keep an event's row for at most a lease, and a request waiting for that row
// gives up while its own lease could still be used.
export function databaseBoundProblems(c: Config): string[] {
  const problems: string[] = [];
  if (c.dbLockTimeoutMs >= c.lockTtlMs) {
    problems.push(`${ENV_NAMES.dbLockTimeoutMs} must be less than ${ENV_NAMES.lockTtlMs} (${c.lockTtlMs})`);
  }
  if (c.dbIdleInTransactionTimeoutMs > c.lockTtlMs) {
    problems.push(
      `${ENV_NAMES.dbIdleInTransactionTimeoutMs} must be at most ${ENV_NAMES.lockTtlMs} (${c.lockTtlMs})`,
    );
  }
  if (c.dbStatementTimeoutMs <= c.dbLockTimeoutMs) {
    problems.push(
      `${ENV_NAMES.dbStatementTimeoutMs} must be greater than ${ENV_NAMES.dbLockTimeoutMs} (${c.dbLockTimeoutMs})`,
    );
  }
  return problems;
}
