// Secrets of the local cluster, generated once and kept (mode 0600) in the run
// directory: the JWT secret shared by all replicas and the first admin's
// password when TICKETS_ADMIN_PASSWORD is not given.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { paths } from './paths.ts';

export interface Secrets {
  jwtSecret: string;
  adminEmail: string;
  adminPassword: string;
  /** True when the password was generated here (so `up` should print it). */
  generatedPassword: boolean;
}

export async function loadSecrets(env: NodeJS.ProcessEnv = process.env): Promise<Secrets> {
  const stored = existsSync(paths.secrets())
    ? (JSON.parse(readFileSync(paths.secrets(), 'utf8')) as Partial<Secrets>)
    : {};
  const secrets: Secrets = {
    jwtSecret: env.JWT_SECRET || stored.jwtSecret || randomBytes(32).toString('hex'),
    adminEmail: env.TICKETS_ADMIN_EMAIL || stored.adminEmail || 'admin@tickets.local',
    adminPassword:
      env.TICKETS_ADMIN_PASSWORD || stored.adminPassword || randomBytes(12).toString('base64url'),
    generatedPassword: !env.TICKETS_ADMIN_PASSWORD && !stored.adminPassword,
  };
  const { generatedPassword: _, ...keep } = secrets;
  await writeFile(paths.secrets(), `${JSON.stringify(keep, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

/** What a new replica needs, from the secrets `up` stored. */
export async function readSecretsForReplicas(): Promise<{
  jwtSecret: string;
  adminEmail: string;
  adminPassword: string;
}> {
  const { jwtSecret, adminEmail, adminPassword } = JSON.parse(
    readFileSync(paths.secrets(), 'utf8'),
  ) as Secrets;
  return { jwtSecret, adminEmail, adminPassword };
}
