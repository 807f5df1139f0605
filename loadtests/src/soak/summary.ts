// What the soak scenario reports besides the usual figures: samples every 10 s,
// throughput and latency per window, the background's counts, memory at the start
// and the end, and the buyers' own purchase histories compared.

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  replicas: Record<
    string,
    { rssBytes: number | null; heapUsedBytes: number | null; sseStreams: number | null }
  >;
  pgConnections: number | null;
  redisUsedMemoryBytes: number | null;
  sseStreams: number;
  generatorsRssBytes: number;
  harnessRssBytes: number;
  harnessHeapUsedBytes: number;
}

export interface SoakWindow {
  t: number;
  answersPerSecond: number;
  purchasesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface SoakSummary {
  sampleSeconds: number;
  samples: SoakSample[];
  windows: SoakWindow[];
  background: {
    seatMapReads: number;
    seatMapErrors: number;
    subscribers: number;
    streamEvents: number;
    streamReconnects: number;
    holds: number;
    holdsReleased: number;
    holdErrors: number;
  };
  memory: {
    generatorsPeakRssBytes: number;
    /** Each replica's RSS (by replica id): at the first sample ≥ 60 s and at the last one. */
    replicasRssAfterFirstMinute: Record<string, number | null>;
    replicasRssAtEnd: Record<string, number | null>;
    generatorsRssAfterFirstMinute: number | null;
    generatorsRssAtEnd: number | null;
  };
  orderHistories: { buyers: number; compared: number; missing: number; unexpected: number; notes: string[] };
}

export function memoryOf(samples: SoakSample[]): SoakSummary['memory'] {
  const afterMinute = samples.find((s) => s.t >= 60) ?? samples[0];
  const last = samples.at(-1);
  // The generators exist only during the load: their figures from the samples taken then.
  const withGenerators = samples.filter((s) => s.generatorsRssBytes > 0);
  const generatorsAfterMinute = withGenerators.find((s) => s.t >= 60) ?? withGenerators[0];
  const rss = (s: SoakSample | undefined) =>
    Object.fromEntries(Object.entries(s?.replicas ?? {}).map(([id, r]) => [id, r.rssBytes]));
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, s.generatorsRssBytes);
  return {
    generatorsPeakRssBytes: peak,
    replicasRssAfterFirstMinute: rss(afterMinute),
    replicasRssAtEnd: rss(last),
    generatorsRssAfterFirstMinute: generatorsAfterMinute?.generatorsRssBytes ?? null,
    generatorsRssAtEnd: withGenerators.at(-1)?.generatorsRssBytes ?? null,
  };
}
