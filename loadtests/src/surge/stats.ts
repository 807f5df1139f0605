// The surge scenario's figures, as pure functions: rank correlations between the
// order of joining and the order of admission, the admission rate (a least-squares
// fit over the longest stretch during which the line never ran dry) and admissions
// per minute over time.

/** Ranks 1…n of `xs` (ties get the mean of their ranks). */
export function ranks(xs: number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
    for (let k = i; k <= j; k++) out[(order[k] as readonly [number, number])[1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

function pearson(a: number[], b: number[]): number | null {
  const n = a.length;
  if (n < 2) return null;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return va === 0 || vb === 0 ? null : cov / Math.sqrt(va * vb);
}

/** Spearman's ρ: 1 when both orders agree, about 0 when unrelated, −1 reversed. Null below two pairs. */
export const spearman = (a: number[], b: number[]): number | null => pearson(ranks(a), ranks(b));

/** Kendall's τ-b (O(n²), fine for a few thousand pairs). Null below two pairs. */
export function kendall(a: number[], b: number[]): number | null {
  const n = a.length;
  if (n < 2) return null;
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const da = Math.sign((a[i] as number) - (a[j] as number));
      const db = Math.sign((b[i] as number) - (b[j] as number));
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom === 0 ? null : (concordant - discordant) / denom;
}

export interface OrderCorrelation {
  buyers: number;
  spearman: number | null;
  kendall: number | null;
}

/** How the order of joining (`joinOrder`) relates to the order of admission (`admitOrder`). */
export function orderCorrelation(pairs: { joinOrder: number; admitOrder: number }[]): OrderCorrelation {
  const a = pairs.map((p) => p.joinOrder);
  const b = pairs.map((p) => p.admitOrder);
  return { buyers: pairs.length, spearman: round(spearman(a, b)), kendall: round(kendall(a, b)) };
}

/** Least-squares slope of y over x (null below two points or with no spread in x). */
export function slope(xs: number[], ys: number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    sxx += ((xs[i] as number) - mx) ** 2;
  }
  return sxx === 0 ? null : sxy / sxx;
}

export interface Admission {
  /** When the service made it due (ms since the epoch; exact, from the token's expiry). */
  dueMs: number;
  /** When the buyer first saw it (ms since the epoch). */
  seenMs: number;
}

export interface AdmissionRate {
  configuredPerMinute: number;
  /** The admissions of the longest busy stretch (the line never ran dry: due times ≤ 1.5 gaps apart). */
  busyAdmissions: number;
  busySeconds: number;
  /** Admissions/min as the buyers saw them: 60 / (slope of seen time over admission rank). */
  seenPerMinute: number | null;
  /** Admissions/min as the service made them due (from the tokens' expiry times). */
  duePerMinute: number | null;
  /** |seen − configured| / configured. */
  seenError: number | null;
  /** How late buyers saw their admission after it was due (ms): p50 / p99 / max. */
  seenLagMs: { p50: number; p99: number; max: number };
}

/** Too few admissions to measure a rate: the stretch must last at least this many gaps. */
export const MIN_BUSY_ADMISSIONS = 10;

export function admissionRate(admissions: Admission[], configuredPerMinute: number): AdmissionRate {
  const gapMs = 60_000 / configuredPerMinute;
  const byDue = [...admissions].sort((a, b) => a.dueMs - b.dueMs);
  let best: Admission[] = [];
  let current: Admission[] = [];
  for (const a of byDue) {
    const last = current.at(-1);
    if (last && a.dueMs - last.dueMs > 1.5 * gapMs) current = [];
    current.push(a);
    if (current.length > best.length) best = current;
  }
  const idx = best.map((_, i) => i);
  const perMinute = (msPerAdmission: number | null) =>
    msPerAdmission && msPerAdmission > 0 && best.length >= MIN_BUSY_ADMISSIONS
      ? round(60_000 / msPerAdmission, 1)
      : null;
  const seenPerMinute = perMinute(
    slope(
      idx,
      best.map((a) => a.seenMs),
    ),
  );
  const duePerMinute = perMinute(
    slope(
      idx,
      best.map((a) => a.dueMs),
    ),
  );
  const lags = admissions.map((a) => a.seenMs - a.dueMs);
  return {
    configuredPerMinute,
    busyAdmissions: best.length,
    busySeconds: round(
      best.length ? ((best.at(-1) as Admission).dueMs - (best[0] as Admission).dueMs) / 1000 : 0,
    ),
    seenPerMinute,
    duePerMinute,
    seenError:
      seenPerMinute === null
        ? null
        : round(Math.abs(seenPerMinute - configuredPerMinute) / configuredPerMinute, 4),
    seenLagMs: {
      p50: percentile(lags, 50),
      p99: percentile(lags, 99),
      max: lags.length ? Math.max(...lags) : 0,
    },
  };
}

export interface AdmissionTimeline {
  bucketSeconds: number;
  /** End of each bucket, in seconds since the opening. */
  t: number[];
  /** Admissions seen by buyers in each bucket, as a rate per minute. */
  seenPerMinute: number[];
  /** Admissions due in each bucket (service side), as a rate per minute. */
  duePerMinute: number[];
}

/** Admitted per minute over time, in buckets from the opening (about 20 of them, at least 1 s). */
export function admissionTimeline(admissions: Admission[], openedAtMs: number): AdmissionTimeline {
  const last = Math.max(openedAtMs, ...admissions.flatMap((a) => [a.seenMs, a.dueMs]));
  const span = (last - openedAtMs) / 1000;
  const bucketSeconds = Math.max(1, Math.ceil(span / 20));
  const buckets = Math.max(1, Math.ceil(span / bucketSeconds));
  const seen = new Array<number>(buckets).fill(0);
  const due = new Array<number>(buckets).fill(0);
  const at = (ms: number) =>
    Math.min(buckets - 1, Math.max(0, Math.floor((ms - openedAtMs) / 1000 / bucketSeconds)));
  for (const a of admissions) {
    seen[at(a.seenMs)] = (seen[at(a.seenMs)] ?? 0) + 1;
    due[at(a.dueMs)] = (due[at(a.dueMs)] ?? 0) + 1;
  }
  const perMinute = (n: number) => round((n / bucketSeconds) * 60, 1);
  return {
    bucketSeconds,
    t: seen.map((_, i) => (i + 1) * bucketSeconds),
    seenPerMinute: seen.map(perMinute),
    duePerMinute: due.map(perMinute),
  };
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[i] as number, 2);
}

function round(n: number, digits?: number): number;
function round(n: number | null, digits?: number): number | null;
function round(n: number | null, digits = 3): number | null {
  if (n === null) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
