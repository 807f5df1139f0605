// Bearer tokens this replica has verified, by their exact text. A buyer sends the
// same token with every request; for each, @fastify/jwt decodes it, merges its
// options and hashes it (SHA-256) to find it in fast-jwt's cache, which together
// was about 6 % of a replica's JavaScript in a spread sale. A token is the same
// text with the same signature every time, so it verifies the same way until it
// expires: a hit here is checked against its `exp` and nothing else. Revocation
// does not depend on this: the token version is checked against the user's row
// (plugins/app/auth.ts) on every request, hit or not.
//
// Bounded: the oldest entry goes first once there are `maxEntries` (insertion
// order, not use: a hot token that is dropped is verified once more).

export interface VerifiedTokens<Payload> {
  get(token: string): Payload | undefined;
  /** Kept only with an expiry (`exp`, seconds since the epoch) still ahead. */
  store(token: string, payload: Payload & { exp?: unknown }): void;
  size(): number;
}

export function createVerifiedTokens<Payload>(
  maxEntries: number,
  // Read at each call, not captured: the clock @fastify/jwt checks against is the same.
  nowMs: () => number = () => Date.now(),
): VerifiedTokens<Payload> {
  const entries = new Map<string, { payload: Payload; expiresAtMs: number }>();
  return {
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (entry.expiresAtMs <= nowMs()) {
        entries.delete(token);
        return undefined;
      }
      return entry.payload;
    },
    store(token, payload) {
      if (maxEntries <= 0 || typeof payload.exp !== 'number') return;
      const expiresAtMs = payload.exp * 1000;
      if (expiresAtMs <= nowMs()) return;
      entries.delete(token);
      entries.set(token, { payload, expiresAtMs });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    size: () => entries.size,
  };
}
