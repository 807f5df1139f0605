// What each chart of the page is drawn from, taken out of the report: the page
// carries it as one JSON object (chart-script.ts reads it as `d`).
import type { Report } from '../report.ts';

/** The charts' data as JSON that is safe inside a script element. */
export function chartData(report: Report, outcomes: [string, number][]): string {
  const cpu = report.cpu;
  // CPU samples on the load's clock (seconds since the generators started).
  const cpuShift = cpu ? (cpu.startedAtMs - report.load.startedAtMs) / 1000 : 0;
  return JSON.stringify({
    timeline: report.load.timeline,
    percentiles: [report.load.p50Ms, report.load.p90Ms, report.load.p99Ms],
    outcomes,
    sales: report.sales ?? null,
    cpu: cpu
      ? {
          cores: cpu.cores,
          sources: cpu.sources,
          samples: cpu.samples.map((s) => ({ ...s, t: Math.round((s.t + cpuShift) * 1000) / 1000 })),
        }
      : null,
    watch: report.watch
      ? {
          latency: report.watch.latency,
          boundMs: report.watch.boundMs,
        }
      : null,
    faults: (report.faults ?? []).map((f) => ({ series: f.series, times: f.times })),
    surge: report.surge ? { timeline: report.surge.timeline, configured: report.surge.admitPerMinute } : null,
    soak: report.soak ? { samples: report.soak.samples, windows: report.soak.windows } : null,
  }).replaceAll('<', '\\u003c');
}
