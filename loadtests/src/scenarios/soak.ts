// soak: a long sale (issue #15). At least --purchases (default 100,000) single-seat
// purchases confirmed over enough events of 1,200 seats, capped by --duration (default
// 3600 s), with a steady background: seat-map reads, a few seat-stream subscribers and
// holds that are released again (HOLD_TTL is 600 s: left alone they would only expire
// after the run). Every 10 s it samples each replica's RSS and heap (/metrics), the
// PostgreSQL connections (pg_stat_activity), Redis memory (INFO memory), the open seat
// streams (tickets_sse_subscribers) and the generators' memory (/proc); throughput and
// p50/p99 per 10 s window come from the history afterwards (streamed, one fixed-size
// histogram per window). The whole history is checked like every run (oversold / lost /
// phantom / I4 / I5, streamed), and a sample of buyers' own purchase histories
// (GET /api/v1/orders) is compared with the orders they were acknowledged.
import type { Options } from '../options.ts';
import type { Report } from '../report.ts';
import { background } from '../soak/background.ts';
import { compareOrderHistories, windowsOf } from '../soak/history-checks.ts';
import { SAMPLE_SECONDS } from '../soak/sampler.ts';
import { memoryOf, type SoakSummary } from '../soak/summary.ts';
import type { Api, Target } from '../target.ts';
import { runPurchaseScenario } from './purchase.ts';
import { prepare } from './sales.ts';

// Read by the soak's test, which finds it here.

const SEATS_PER_EVENT = 1200;

export async function soak(o: Options, target: Target, client: Api): Promise<Report> {
  const purchases = o.purchases ?? 100_000;
  const durationSeconds = o.durationGiven ? o.durationSeconds : 3600;
  // Random events sell out unevenly: 10 % more seats and attempts than purchases wanted.
  const events = Math.max(1, Math.ceil((purchases * 1.1) / SEATS_PER_EVENT));
  // ≤ 100 tickets per buyer and event (one buyer per 50 seats, as prepare() does) and
  // ≤ 400 orders per buyer in all, so that GET /api/v1/orders (newest 500) lists them all.
  const buyerCount = Math.max(o.buyers, Math.ceil(SEATS_PER_EVENT / 50), Math.ceil((purchases * 1.1) / 400));
  const sections = [{ name: 'Soak', rows: SEATS_PER_EVENT / 40, seatsPerRow: 40, priceCents: 5000 }];
  const prepared = await prepare({ ...o, buyers: buyerCount }, target, client, events, sections);
  const bg = background(o, target, client, prepared.events, prepared.buyers);
  let soakSummary: SoakSummary | undefined;
  return runPurchaseScenario({
    scenario: 'soak',
    target,
    client,
    events: prepared.events,
    buyers: prepared.buyers,
    warmup: prepared.warmup,
    mix: { quantityShare: 1, maxSeats: 1, declineShare: 0 },
    connections: o.connections,
    generators: o.generators,
    amount: Math.ceil(purchases * 1.1),
    durationSeconds,
    capSeconds: durationSeconds,
    // --rate: purchase attempts per second over all generators, for a steady sale (default: as fast as it goes).
    rate: o.rate,
    measure: 'purchases',
    reference: null,
    systemLimit: 'the replicas and PostgreSQL on the shared cores, over a long run',
    hooks: {
      beforeLoad: () => bg.start(),
      afterLoad: () => bg.stop(),
      afterCheck: async ({ files, startedAtMs }) => {
        const windows = await windowsOf(files, startedAtMs);
        const orderHistories = await compareOrderHistories(
          client,
          files,
          prepared.buyers,
          new Set(prepared.events.map((e) => e.id)),
          Math.min(20, prepared.buyers.length),
        );
        soakSummary = {
          sampleSeconds: SAMPLE_SECONDS,
          samples: bg.samples,
          windows,
          background: bg.counts,
          memory: memoryOf(bg.samples),
          orderHistories,
        };
        const failures: string[] = [];
        if (orderHistories.missing + orderHistories.unexpected > 0)
          failures.push(
            `purchase histories: ${orderHistories.missing} acknowledged order(s) missing, ${orderHistories.unexpected} unexpected, over ${orderHistories.compared} buyers`,
          );
        const confirmed = windows.reduce((n, w) => n + w.purchasesPerSecond * SAMPLE_SECONDS, 0);
        if (Math.round(confirmed) < purchases)
          failures.push(
            `${Math.round(confirmed)} purchases confirmed during the load, fewer than ${purchases}`,
          );
        return { failures, details: { purchasesWanted: purchases, events, buyers: buyerCount } };
      },
      decorate: (report) => {
        if (soakSummary) report.soak = soakSummary;
      },
    },
  });
}
