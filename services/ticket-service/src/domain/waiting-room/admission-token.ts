// Admission tokens: proof that an event's waiting room admitted a customer,
// checked by any replica without reading anything. A token is
//
//   v1.<expiresAt, epoch ms>.<HMAC-SHA256, base64url>
//
// and the MAC covers "admission:v1:<eventId>:<userId>:<expiresAt>". The event and
// the customer are not in the token but taken from the request (the route and
// the bearer token), so a token shown for another event or by another customer
// fails the MAC exactly as a forged one does. The key is derived from
// JWT_SECRET with HKDF under a label of its own: no second secret to deploy, and
// neither kind of token can pass for the other.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export type AdmissionCheck = 'ok' | 'missing' | 'invalid' | 'expired';

export interface AdmissionClaim {
  eventId: string;
  userId: string;
  /** Epoch ms. */
  expiresAt: number;
}

export interface AdmissionTokens {
  sign(claim: AdmissionClaim): string;
  /** Whether `token` admits this customer to this event at `now` (epoch ms). */
  check(
    token: string | undefined,
    expected: { eventId: string; userId: string; now: number },
  ): AdmissionCheck;
}

const TOKEN = /^v1\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/;

export function admissionKey(jwtSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', jwtSecret, 'tickets', 'admission-token v1', 32));
}

export function createAdmissionTokens(key: Buffer): AdmissionTokens {
  const mac = (c: AdmissionClaim) =>
    createHmac('sha256', key).update(`admission:v1:${c.eventId}:${c.userId}:${c.expiresAt}`).digest();
  return {
    sign: (claim) => `v1.${claim.expiresAt}.${mac(claim).toString('base64url')}`,
    check(token, { eventId, userId, now }) {
      if (!token) return 'missing';
      const parts = TOKEN.exec(token);
      if (!parts) return 'invalid';
      const expiresAt = Number(parts[1]);
      const given = Buffer.from(parts[2] as string, 'base64url');
      const wanted = mac({ eventId, userId, expiresAt });
      if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return 'invalid';
      // Only a token we signed gets this far, so "expired" never helps a forger.
      return now < expiresAt ? 'ok' : 'expired';
    },
  };
}
