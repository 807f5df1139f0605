// The surge's preparation: how the crowd is made up (buyers before and after the
// opening, the eager ones, the pace of late joins), one event with a waiting room whose
// opening stays far ahead until the crowd has joined, and the buyers' accounts.
import type { Options } from '../options.ts';
import {
  type Api,
  adminToken,
  createEvent,
  type PreparedBuyer,
  type PreparedEvent,
  type Target,
} from '../target.ts';
import { type PreparedBuyers, surgeBuyers } from './accounts.ts';
import type { Admission } from './stats.ts';

export interface Crowd {
  seats: number;
  buyerCount: number;
  admitPerMinute: number;
  preCount: number;
  lateCount: number;
  eagerCount: number;
  /** Between two admissions at the configured rate. */
  gapMs: number;
  /** Late joiners join one every this many ms… */
  lateGapMs: number;
  /** …from this long after the opening. */
  lateFromSeconds: number;
}

/** One buyer's part in the surge, filled in as it goes. */
export interface BuyerRun {
  buyer: PreparedBuyer;
  kind: 'pre' | 'late';
  eager: boolean;
  joinOrder?: number;
  polls: number;
  admission?: Admission;
  token?: string;
  /** Why the buyer stopped waiting, when never admitted. */
  stopped?: string;
  purchaseKey?: string;
}

export function crowdOf(o: Options): Crowd {
  const seats = o.seats ?? 200;
  const buyerCount = o.requestedBuyers ?? 10 * seats;
  const admitPerMinute = o.admitPerMinute ?? 2400;
  const lateCount = Math.round(buyerCount * o.lateShare);
  const preCount = buyerCount - lateCount;
  const eagerCount = Math.min(preCount, Math.round(preCount * o.eagerShare));
  const gapMs = 60_000 / admitPerMinute;
  // Late joiners arrive while the drawn line is still being admitted (its first quarter).
  const lateGapMs = Math.max(10, Math.round((preCount * gapMs) / 4 / Math.max(1, lateCount)));
  return {
    seats,
    buyerCount,
    admitPerMinute,
    preCount,
    lateCount,
    eagerCount,
    gapMs,
    lateGapMs,
    lateFromSeconds: 0.5,
  };
}

export interface PreparedSurge {
  event: PreparedEvent;
  /** Changes the event as its admin (PATCH). */
  patch(body: Record<string, unknown>): Promise<void>;
  accounts: PreparedBuyers;
  runs: BuyerRun[];
}

export async function prepareSurge(
  o: Options,
  target: Target,
  client: Api,
  crowd: Crowd,
): Promise<PreparedSurge> {
  console.log(`  preparing one ${crowd.seats}-seat event and ${crowd.buyerCount} buyers…`);
  const admin = await adminToken(client, target);
  const event = await createEvent(client, admin, `Surge ${o.tag}`, surgeSections(crowd.seats));
  const patch = (body: Record<string, unknown>) =>
    client
      .call('PATCH', `/api/v1/admin/events/${event.id}`, body, { authorization: `Bearer ${admin}` })
      .then((res) => {
        if (res.status !== 200)
          throw new Error(`event not changed: ${res.status} ${JSON.stringify(res.json)}`);
      });
  // Far ahead while the buyers are prepared and join; moved to a few seconds ahead after.
  await patch({
    salesStartAt: new Date(Date.now() + 3600_000).toISOString(),
    waitingRoom: { enabled: true, admitPerMinute: crowd.admitPerMinute },
    maxTicketsPerCustomer: 4,
  });
  const accounts = await surgeBuyers(client, target, crowd.buyerCount, o.tag, o.signupConcurrency);
  console.log(
    `  buyers: ${accounts.reused} reused, ${accounts.signedUp} signed up, ${accounts.loggedIn} logged in (${accounts.seconds} s)`,
  );
  const runs: BuyerRun[] = accounts.buyers.map((buyer, i) => ({
    buyer,
    kind: i < crowd.preCount ? 'pre' : 'late',
    eager: i < crowd.eagerCount,
    polls: 0,
  }));
  return { event, patch, accounts, runs };
}

/** Exactly `seats` seats: rows of up to 50, the remainder in a row of its own. */
export function surgeSections(seats: number) {
  const perRow = Math.min(50, seats);
  const rows = Math.floor(seats / perRow);
  const rest = seats - rows * perRow;
  return [
    { name: 'Floor', rows, seatsPerRow: perRow, priceCents: 7000 },
    ...(rest > 0 ? [{ name: 'Balcony', rows: 1, seatsPerRow: rest, priceCents: 5000 }] : []),
  ];
}
