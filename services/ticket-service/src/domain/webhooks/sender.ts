// Sends the webhook outbox (webhook_deliveries). Every replica runs it: a round
// claims due deliveries with FOR UPDATE SKIP LOCKED and a lease (the claim moves
// next_attempt_at past the attempt's time limit), so replicas never send the same
// delivery at once, and one claimed by a replica that died is due again when its
// lease runs out: never lost. Delivery is at least once (a receiver that answered
// but whose answer was lost gets it again), with the same X-Tickets-Delivery id
// every time, by which receivers deduplicate. A failure (no 2xx, a refused
// target, a timeout) is retried with exponential backoff, up to maxAttempts;
// every attempt is kept in attempt_log for the admin pages.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Prisma, type PrismaClient } from '../../generated/prisma/client.ts';
import { sign } from './signature.ts';
import { type Allowance, guardedLookup, hostOf, refusalOf } from './targets.ts';

export interface SenderSettings {
  allow: readonly Allowance[];
  /** Deliveries one round takes. */
  batch?: number;
  /** Longest one attempt may take (connect, send, answer). */
  timeoutMs?: number;
  /** The first retry's delay; each next one doubles it, up to maxDelayMs (±20 % jitter). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** After this many attempts a delivery is 'failed' (still listed, no more tries). */
  maxAttempts?: number;
}

interface SenderContext {
  db: PrismaClient;
  replica: string;
  log: { warn(obj: object, msg: string): void };
}

interface Claimed {
  id: string;
  event_type: string;
  payload: unknown;
  created_at: Date;
  attempts: number;
  url: string;
  secret: string;
}

const PARALLELISM = 8;

/** One round: claims due deliveries and sends them. Answers how many were delivered and how many failed. */
export async function sendDueWebhooks(
  ctx: SenderContext,
  {
    allow,
    batch = 50,
    timeoutMs = 10_000,
    baseDelayMs = 5_000,
    maxDelayMs = 3_600_000,
    maxAttempts = 20,
  }: SenderSettings,
): Promise<{ delivered: number; failed: number }> {
  // The lease: the attempt's limit and a margin for recording its outcome.
  const leaseMs = timeoutMs * 2 + 5_000;
  const due = await ctx.db.$queryRaw<Claimed[]>(Prisma.sql`
    WITH claimed AS (
      UPDATE webhook_deliveries SET next_attempt_at = now() + ${leaseMs} * interval '1 millisecond',
                                    attempts = attempts + 1
       WHERE id IN (SELECT id FROM webhook_deliveries
                     WHERE status = 'pending' AND next_attempt_at <= now()
                     ORDER BY next_attempt_at LIMIT ${batch}
                     FOR UPDATE SKIP LOCKED)
      RETURNING id, endpoint_id, event_type, payload, created_at, attempts
    )
    SELECT c.id::text, c.event_type, c.payload, c.created_at, c.attempts, e.url, e.secret
      FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id`);
  let delivered = 0;
  let failed = 0;
  for (let i = 0; i < due.length; i += PARALLELISM) {
    await Promise.all(
      due.slice(i, i + PARALLELISM).map(async (d) => {
        const started = performance.now();
        const outcome = await attempt(d, allow, timeoutMs);
        const entry = {
          at: new Date().toISOString(),
          replica: ctx.replica,
          status: outcome.status ?? null,
          error: outcome.error ?? null,
          ms: Math.round(performance.now() - started),
        };
        const ok = outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300;
        const delay = Math.min(maxDelayMs, baseDelayMs * 2 ** (d.attempts - 1)) * (0.8 + Math.random() * 0.4);
        try {
          // Conditional on the claim still being this one (the attempt count):
          // a sender whose lease ran out does not overwrite the next one's claim.
          await ctx.db.$executeRaw(Prisma.sql`
            UPDATE webhook_deliveries
               SET status = ${ok ? 'delivered' : d.attempts >= maxAttempts ? 'failed' : 'pending'},
                   delivered_at = ${ok ? new Date() : null}::timestamptz,
                   next_attempt_at = now() + ${ok ? 0 : Math.round(delay)} * interval '1 millisecond',
                   attempt_log = attempt_log || jsonb_build_array(${JSON.stringify(entry)}::jsonb)
             WHERE id = ${d.id}::uuid AND status = 'pending' AND attempts = ${d.attempts}`);
        } catch (err) {
          // Left as claimed: sent again once the lease runs out.
          ctx.log.warn({ err, deliveryId: d.id }, 'webhook outcome not recorded; it is sent again later');
        }
        if (ok) delivered++;
        else {
          failed++;
          ctx.log.warn({ deliveryId: d.id, url: d.url, ...entry }, 'webhook delivery failed; retried later');
        }
      }),
    );
  }
  return { delivered, failed };
}

/** The body a receiver gets: the same bytes on every attempt but for nothing (the signature's time aside). */
export function deliveryBody(d: Pick<Claimed, 'id' | 'event_type' | 'payload' | 'created_at'>): string {
  return JSON.stringify({
    id: d.id,
    type: d.event_type,
    createdAt: d.created_at.toISOString(),
    data: d.payload,
  });
}

function attempt(
  d: Claimed,
  allow: readonly Allowance[],
  timeoutMs: number,
): Promise<{ status?: number; error?: string }> {
  let url: URL;
  try {
    url = new URL(d.url);
  } catch {
    return Promise.resolve({ error: 'not a URL' });
  }
  // An address given as such is not looked up: checked here.
  const host = hostOf(url);
  const why = isIP(host) ? refusalOf(host, allow) : undefined;
  if (why) return Promise.resolve({ error: `refused target: a ${why} address` });
  const body = deliveryBody(d);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(allow) as never,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'tickets-webhooks/1',
          'x-tickets-delivery': d.id,
          'x-tickets-event': d.event_type,
          'x-tickets-signature': sign(d.secret, body, Math.floor(Date.now() / 1000)),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
        res.on('error', (err) => resolve({ error: err.message }));
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}
