// Purchase scenarios: spread (many events), hot-event (one event, everyone) and
// sellout (N seats, ten times as many purchase attempts).
import type { Options } from '../options.ts';
import { pgbenchPurchases } from '../references/pgbench.ts';
import { serialLockLoop } from '../references/serial-lock-loop.ts';
import type { Report } from '../report.ts';
import { type Api, adminToken, createEvent, signupBuyers, type Target } from '../target.ts';
import { runPurchaseScenario } from './purchase.ts';

const WARMUP_EVENTS = 12;
const WARMUP_SECTIONS = [{ name: 'Warm', rows: 10, seatsPerRow: 40, priceCents: 5000 }];

export function sectionsFor(seats: number) {
  const perRow = 50;
  const rows = Math.ceil(seats / perRow / 2);
  return [
    { name: 'Front', rows, seatsPerRow: perRow, priceCents: 9000 },
    {
      name: 'Back',
      rows: Math.max(1, Math.floor((seats - rows * perRow) / perRow)),
      seatsPerRow: perRow,
      priceCents: 5000,
    },
  ];
}

export async function prepare(
  o: Options,
  target: Target,
  client: Api,
  events: number,
  sections: ReturnType<typeof sectionsFor>,
) {
  // Each buyer may hold at most 100 tickets of one event (the highest
  // per-customer limit, see target.ts): enough buyers for every seat.
  const seatsPerEvent = sections.reduce((n, s) => n + s.rows * s.seatsPerRow, 0);
  const buyerCount = Math.max(o.buyers, Math.ceil(seatsPerEvent / 50));
  console.log(`  preparing ${events} event(s) and ${buyerCount} buyers…`);
  const token = await adminToken(client, target);
  const prepared = [];
  for (let i = 0; i < events; i++)
    prepared.push(await createEvent(client, token, `Load ${o.tag} #${i}`, sections));
  // The gateway sends each event's purchases to one replica (by a hash of its
  // id), so one warm-up event would warm one replica. Twelve events reach every
  // one of three replicas but with a chance of 3 × (2/3)^12 ≈ 2 %.
  const warmupEvents = [];
  if (o.warmupSeconds > 0) {
    for (let i = 0; i < WARMUP_EVENTS; i++)
      warmupEvents.push(await createEvent(client, token, `Load ${o.tag} warm-up #${i}`, WARMUP_SECTIONS));
  }
  const buyers = await signupBuyers(client, buyerCount, o.tag);
  return {
    events: prepared,
    buyers,
    warmup: warmupEvents.length > 0 ? { events: warmupEvents, seconds: o.warmupSeconds } : undefined,
  };
}

/** What the sale scenarios take alike from the options and their preparation. */
function saleOf(o: Options, target: Target, client: Api, prepared: Awaited<ReturnType<typeof prepare>>) {
  return {
    target,
    client,
    ...prepared,
    connections: o.connections,
    generators: o.generators,
    durationSeconds: o.durationSeconds,
    measure: 'purchases' as const,
  };
}

export async function spread(o: Options, target: Target, client: Api): Promise<Report> {
  const prepared = await prepare(o, target, client, o.events, [
    { name: 'A', rows: 10, seatsPerRow: 20, priceCents: 4000 },
  ]);
  return runPurchaseScenario({
    ...saleOf(o, target, client, prepared),
    scenario: 'spread',
    mix: { quantityShare: 0.5, maxSeats: 2, declineShare: 0.02 },
    amount: o.amount,
    reference: async () => ({
      name: 'pgbench purchase transaction, 8 clients (tps)',
      value: await pgbenchPurchases(target.databaseUrl as string, o.referenceSeconds),
    }),
    systemLimit: 'the replicas and PostgreSQL on the shared 2 cores',
  });
}

export async function hotEvent(o: Options, target: Target, client: Api): Promise<Report> {
  const seats = o.seats ?? 2000;
  const prepared = await prepare(o, target, client, 1, sectionsFor(seats));
  return runPurchaseScenario({
    ...saleOf(o, target, client, prepared),
    scenario: 'hot-event',
    mix: { quantityShare: 0.5, maxSeats: 4, declineShare: 0.02 },
    amount: o.amount ?? 20_000,
    reference: async () => ({
      name: 'serial Redis lock + Postgres purchase + release, one event (purchases/s)',
      value: await serialLockLoop(target.databaseUrl as string, target.redisUrls ?? [], o.referenceSeconds),
    }),
    systemLimit: 'the per-event lock (one event is served in order)',
  });
}

export async function sellout(o: Options, target: Target, client: Api): Promise<Report> {
  const seats = o.seats ?? 1000;
  const prepared = await prepare(o, target, client, 1, sectionsFor(seats));
  const report = await runPurchaseScenario({
    ...saleOf(o, target, client, prepared),
    scenario: 'sellout',
    mix: { quantityShare: 1, maxSeats: 1, declineShare: 0 },
    amount: o.amount ?? 10 * (prepared.events[0]?.seatIds.length ?? seats),
    reference: async () => {
      const perSecond = await serialLockLoop(
        target.databaseUrl as string,
        target.redisUrls ?? [],
        o.referenceSeconds,
      );
      // What the serial loop would need for the same seats, as a rate of seats per second.
      return { name: 'serial lock loop (purchases/s); time to sell out = seats ÷ this', value: perSecond };
    },
    systemLimit: 'the per-event lock (one event is served in order)',
  });
  return report;
}
