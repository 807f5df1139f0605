// Statistics that do not grow with the run: counters, running min/max and a
// fixed-size latency histogram, so a run of any length is summed up in constant
// memory (issue #15: a 480 s run died spreading every completion into Math.min).

/**
 * Log-bucketed latency histogram (HdrHistogram-like). Bucket i holds values in
 * [MIN·G^(i-1), MIN·G^i) with G = 1.01, from MIN = 0.01 ms up to ~10 min (values
 * outside are clamped to the first or last bucket): a percentile is reported as its
 * bucket's upper bound, so it is at most 1 % above the exact value (and never below
 * it), for latencies ≥ 0.01 ms. About 1,800 counters whatever the number of samples.
 * Mergeable (the generators send theirs to the parent) and serialisable as sparse
 * [bucket, count] pairs.
 */
export class LatencyHistogram {
  static readonly MIN_MS = 0.01;
  static readonly GROWTH = 1.01;
  static readonly BUCKETS = Math.ceil(Math.log(600_000 / LatencyHistogram.MIN_MS) / Math.log(1.01)) + 2;
  readonly counts = new Float64Array(LatencyHistogram.BUCKETS);
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  static bucketOf(ms: number): number {
    if (!(ms > LatencyHistogram.MIN_MS)) return 0;
    const i = Math.ceil(Math.log(ms / LatencyHistogram.MIN_MS) / Math.log(LatencyHistogram.GROWTH));
    return Math.min(LatencyHistogram.BUCKETS - 1, i);
  }

  static upperBound(bucket: number): number {
    return LatencyHistogram.MIN_MS * LatencyHistogram.GROWTH ** bucket;
  }

  record(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const i = LatencyHistogram.bucketOf(ms);
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** The p-th percentile (0–100): the upper bound of its bucket, capped at the largest value seen. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, LatencyHistogram.upperBound(i)));
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  merge(other: LatencyHistogram | SerializedHistogram): this {
    const o = other instanceof LatencyHistogram ? other.toJSON() : other;
    for (const [i, n] of o.buckets) this.counts[i] = (this.counts[i] ?? 0) + n;
    this.count += o.count;
    this.sum += o.sum;
    if (o.count > 0) {
      this.min = Math.min(this.min, o.min);
      this.max = Math.max(this.max, o.max);
    }
    return this;
  }

  /** Resets the counters (a sampling window). */
  clear(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
  }

  toJSON(): SerializedHistogram {
    const buckets: [number, number][] = [];
    for (let i = 0; i < this.counts.length; i++) {
      const n = this.counts[i] ?? 0;
      if (n > 0) buckets.push([i, n]);
    }
    return { buckets, count: this.count, sum: this.sum, min: this.min, max: this.max };
  }

  static from(s: SerializedHistogram): LatencyHistogram {
    return new LatencyHistogram().merge(s);
  }
}

export interface SerializedHistogram {
  buckets: [number, number][];
  count: number;
  sum: number;
  min: number;
  max: number;
}

/** Running minimum and maximum without an array (Math.min(...xs) overflows the stack on long runs). */
export class Extent {
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  count = 0;
  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.count++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}
