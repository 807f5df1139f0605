// A rate limit as operators write it: `<count>/<window>`, e.g. `10/15m` (at most 10
// in each 15-minute window), `60/1m` or `60/m`, `30/1h`. The window is fixed (it
// starts with the first request counted and ends a window later), as
// @fastify/rate-limit's Redis store counts.

/** What config.ts accepts; `/` then an optional whole number, then s, m or h. */
export const RATE_SPEC_PATTERN = '^[1-9][0-9]*/([1-9][0-9]*)?[smh]$';

export interface Rate {
  max: number;
  windowMs: number;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

export function parseRateSpec(spec: string): Rate {
  const match = /^([1-9][0-9]*)\/([1-9][0-9]*)?([smh])$/.exec(spec);
  if (!match) throw new Error(`not a rate: "${spec}" (want <count>/<window>, e.g. 10/15m)`);
  const [, max, count, unit] = match as unknown as [string, string, string | undefined, keyof typeof UNIT_MS];
  return { max: Number(max), windowMs: Number(count ?? 1) * UNIT_MS[unit] };
}

/**
 * A limit times TICKETS_RATE_LIMIT_FACTOR: rounded, and never below 1, so that a
 * factor below 1 tightens every limit without switching one off.
 */
export function scaled(limit: number, factor: number): number {
  return Math.max(1, Math.round(limit * factor));
}
