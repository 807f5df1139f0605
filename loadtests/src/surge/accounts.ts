// The surge scenario's buyers: thousands of accounts, and a signup costs the
// replicas a password hash (argon2, deliberately slow: about 60 a second on two
// cores). They are kept between runs beside the cluster (its run directory,
// `loadtest-surge-buyers.json`: emails, ids and tokens, no secrets of the
// cluster) and reused while their tokens are good; only the missing ones are
// signed up, several at a time so that every replica hashes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Api, PreparedBuyer, Target } from '../target.ts';

interface CachedBuyer extends PreparedBuyer {
  email: string;
  /** When the token was issued (ms since the epoch). */
  tokenAt: number;
}

interface Cache {
  baseUrl: string;
  buyers: CachedBuyer[];
}

const PASSWORD = 'load test password';
/** Tokens live JWT_TTL_SECONDS (12 h by default); older than this, a buyer logs in again. */
const TOKEN_REUSE_MS = 6 * 3600_000;

export interface PreparedBuyers {
  buyers: PreparedBuyer[];
  reused: number;
  signedUp: number;
  loggedIn: number;
  seconds: number;
  /** Signups (and logins) per second while they ran; null when none was needed. */
  perSecond: number | null;
}

export async function surgeBuyers(
  client: Api,
  target: Target,
  count: number,
  tag: string,
  concurrency: number,
): Promise<PreparedBuyers> {
  const started = performance.now();
  const file = target.runDir ? join(target.runDir, 'loadtest-surge-buyers.json') : undefined;
  let cached: CachedBuyer[] = [];
  if (file && existsSync(file)) {
    const cache = JSON.parse(readFileSync(file, 'utf8')) as Cache;
    // A cluster started anew has a new database: its first token tells.
    const probe = cache.baseUrl === target.baseUrl ? cache.buyers[0] : undefined;
    if (probe) {
      const me = await client.call('GET', '/api/v1/me', undefined, {
        authorization: `Bearer ${probe.token}`,
      });
      if (me.status === 200) cached = cache.buyers;
    }
  }
  const now = Date.now();
  const pool: CachedBuyer[] = cached.slice(0, count);
  const stale = pool.filter((b) => now - b.tokenAt > TOKEN_REUSE_MS);
  const missing = count - pool.length;
  let signedUp = 0;
  let loggedIn = 0;
  let next = 0;
  const jobs: (() => Promise<void>)[] = [
    ...stale.map((b) => async () => {
      const res = await client.call('POST', '/api/v1/auth/login', { email: b.email, password: PASSWORD });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.json)}`);
      b.token = res.json.token;
      b.tokenAt = Date.now();
      loggedIn++;
    }),
    ...Array.from({ length: missing }, (_, i) => async () => {
      const email = `surge-${tag}-${i}@example.test`;
      const res = await client.call('POST', '/api/v1/auth/signup', {
        email,
        password: PASSWORD,
        name: `Surge buyer ${i}`,
      });
      if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.json)}`);
      pool.push({ id: res.json.user.id, token: res.json.token, email, tokenAt: Date.now() });
      signedUp++;
    }),
  ];
  const hashStarted = performance.now();
  const progress = setInterval(() => {
    const line = `  buyers: ${signedUp} signed up, ${loggedIn} logged in of ${jobs.length}`;
    process.stdout.write(process.stdout.isTTY ? `\r${line}    ` : `${line}\n`);
  }, 2000);
  const worker = async () => {
    while (next < jobs.length) await (jobs[next++] as () => Promise<void>)();
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  } finally {
    clearInterval(progress);
    if (process.stdout.isTTY && jobs.length) process.stdout.write('\n');
    if (file) {
      // Whatever was signed up is kept, even when a signup failed.
      const keep = [...pool, ...cached.slice(count)];
      writeFileSync(file, `${JSON.stringify({ baseUrl: target.baseUrl, buyers: keep } satisfies Cache)}\n`);
    }
  }
  const hashSeconds = (performance.now() - hashStarted) / 1000;
  return {
    buyers: pool.map(({ id, token }) => ({ id, token })),
    reused: pool.length - signedUp - loggedIn,
    signedUp,
    loggedIn,
    seconds: Math.round(((performance.now() - started) / 1000) * 10) / 10,
    perSecond: jobs.length ? Math.round((jobs.length / hashSeconds) * 10) / 10 : null,
  };
}
