// The load tests' command-line options and their defaults, read once by the CLI
// (cli.ts) and passed to every scenario. Kept apart from the CLI so that the
// scenarios, which take these options, do not import the module that imports them.
// `usage` below is what `npm run loadtest -- --help` prints: every option with its default.
//
import { randomUUID } from 'node:crypto';

export const usage = `npm run loadtest -- <browse|spread|hot-event|sellout|scale|watch|faults|surge|soak> [options]
  --url URL            gateway (default: the local cluster's)
  --cluster FILE       the local cluster's cluster.json (default: TICKETS_RUN_DIR's, else .run/'s)
  --connections N      concurrent connections (default 32)
  --duration S         seconds of load when no --amount (default 15)
  --amount N           number of requests (hot-event: 20000, sellout: 10 × seats, watch: 0.8 × seats)
  --seats N            seats of the event (hot-event 2000, sellout 1000, watch 500)
  --events N           events for spread (default 50)
  --buyers N           buyer accounts to sign up first (default 100, or one per 50 seats of an event when more)
  --generators N       load generator processes (default 2)
  --connect-at-start   open the generators' connections when the clock starts, as autocannon
                       does by itself (default: opened before, so that the timed part measures
                       the system rather than the generators' TLS handshakes)
  --reference-seconds S  how long each reference runs (default 10)
  --warmup S           purchase scenarios: seconds of the same mix on twelve other
                       events first, not measured but checked (default 3; 0: none)
  --subscribers N      watch: seat-stream subscribers (default 1000)
  --rate N             watch: purchase attempts per second (default 20)
  --watch-http 1|2     watch: subscribers over HTTP/2 (default; ≤ 100 streams per connection) or HTTP/1.1
  --watch-processes N  watch: subscriber processes (default one per 500 subscribers)
soak (README, "Load tests"): --purchases N single-seat purchases to confirm (default 100000)
  over events of 1,200 seats, --duration S cap (default 3600), --subscribers N seat-stream
  subscribers in the background (default 5), --rate N purchase attempts/s (default: as fast as it goes)
surge (README, "Load tests"): --seats (default 200), --buyers (default 10 × seats),
  --admit-per-minute N the waiting room's rate (default 2400)
  --late-share F       share of buyers who join after the opening (default 0.1)
  --eager-share F      share of pre-open joiners who also try to buy before the opening and
                       without a token after it (default 0.05)
  --open-in S          seconds from the last pre-open join to the opening (default 3)
  --max-poll-seconds S longest sleep between two queue polls (default 30)
  --signup-concurrency N  signups in flight while buyers are prepared (default 8)
  --timeout-ms, --retry-seconds as for faults
faults (README, "Fault injection"): --rate is new customers per second (default 40),
--seats the seats of each fault's event (default 1500), and
  --faults a,b,…       which faults, in this order (default all: replica-kill, replica-pause,
                       replica-pause-in-tx, redis-pause, redis-flush, redis-restart, pg-restart, clock-skew)
  --lead-in S          seconds of sale before each fault (default 3)
  --observe S          seconds of sale after each fault ended (default 5; a killed replica:
                       until it is back in the upstream + 2 s, at most 12 s)
  --timeout-ms N       a customer's patience for one answer (default 3000)
  --retry-seconds S    how long a customer retries an indeterminate purchase (default 20)
  --direct-share F     share of customers who reach a replica directly (default 0.2)
  --hold-share F       share of customers who hold seats first, then buy the hold (default 0.25)
  --lease-ms N         the lock lease (default: LOCK_TTL_MS of a running replica, else 3000)
  --pause-ms N         replica pauses (default lease + 1500)
  --redis-pause-ms N   (default 10000)   --redis-down-ms N (default 3000)   --skew-ms N (default lease)
`;

/** parseArgs' description of the options: every one a string, as typed. */
export const optionSpec = {
  url: { type: 'string' },
  cluster: { type: 'string' },
  connections: { type: 'string' },
  duration: { type: 'string' },
  amount: { type: 'string' },
  seats: { type: 'string' },
  events: { type: 'string' },
  buyers: { type: 'string' },
  generators: { type: 'string' },
  'connect-at-start': { type: 'boolean' },
  'reference-seconds': { type: 'string' },
  warmup: { type: 'string' },
  subscribers: { type: 'string' },
  rate: { type: 'string' },
  'watch-http': { type: 'string' },
  'watch-processes': { type: 'string' },
  faults: { type: 'string' },
  'lead-in': { type: 'string' },
  observe: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'retry-seconds': { type: 'string' },
  'direct-share': { type: 'string' },
  'hold-share': { type: 'string' },
  'lease-ms': { type: 'string' },
  'pause-ms': { type: 'string' },
  'redis-pause-ms': { type: 'string' },
  'redis-down-ms': { type: 'string' },
  'skew-ms': { type: 'string' },
  'admit-per-minute': { type: 'string' },
  'late-share': { type: 'string' },
  'eager-share': { type: 'string' },
  'open-in': { type: 'string' },
  'max-poll-seconds': { type: 'string' },
  'signup-concurrency': { type: 'string' },
  purchases: { type: 'string' },
} as const;

export type OptionValues = {
  [K in keyof typeof optionSpec]?: (typeof optionSpec)[K]['type'] extends 'boolean' ? boolean : string;
};

const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
const optional = (v: string | undefined) => (v === undefined ? undefined : Number(v));
export interface Options {
  connections: number;
  durationSeconds: number;
  amount?: number;
  seats?: number;
  events: number;
  buyers: number;
  generators: number;
  referenceSeconds: number;
  /** Seconds of purchase load on other events before the timed part (purchase scenarios). */
  warmupSeconds: number;
  subscribers?: number;
  rate?: number;
  watchHttp?: 1 | 2;
  watchProcesses?: number;
  /** faults: which faults, comma-separated (default all). */
  faults?: string;
  leadInSeconds: number;
  observeSeconds: number;
  timeoutMs: number;
  retrySeconds: number;
  directShare: number;
  holdShare: number;
  leaseMs?: number;
  pauseMs?: number;
  redisPauseMs: number;
  redisDownMs: number;
  skewMs?: number;
  /** --buyers as given (surge: default 10 × seats). */
  requestedBuyers?: number;
  /** surge: the waiting room's admissions per minute. */
  admitPerMinute?: number;
  lateShare: number;
  eagerShare: number;
  openInSeconds: number;
  maxPollSeconds: number;
  signupConcurrency: number;
  /** soak: purchases to confirm. */
  purchases?: number;
  /** Whether --duration was given (the soak's default cap differs). */
  durationGiven: boolean;
  tag: string;
}
export function optionsFrom(values: OptionValues): Options {
  return {
    connections: num(values.connections, 32),
    durationSeconds: num(values.duration, 15),
    amount: values.amount === undefined ? undefined : Number(values.amount),
    seats: values.seats === undefined ? undefined : Number(values.seats),
    events: num(values.events, 50),
    buyers: num(values.buyers, 100),
    generators: num(values.generators, 2),
    referenceSeconds: num(values['reference-seconds'], 10),
    warmupSeconds: num(values.warmup, 3),
    subscribers: values.subscribers === undefined ? undefined : Number(values.subscribers),
    rate: values.rate === undefined ? undefined : Number(values.rate),
    watchHttp: values['watch-http'] === '1' ? 1 : values['watch-http'] === undefined ? undefined : 2,
    watchProcesses: values['watch-processes'] === undefined ? undefined : Number(values['watch-processes']),
    faults: values.faults,
    leadInSeconds: num(values['lead-in'], 3),
    observeSeconds: num(values.observe, 5),
    timeoutMs: num(values['timeout-ms'], 3000),
    retrySeconds: num(values['retry-seconds'], 20),
    directShare: num(values['direct-share'], 0.2),
    holdShare: num(values['hold-share'], 0.25),
    leaseMs: optional(values['lease-ms']),
    pauseMs: optional(values['pause-ms']),
    redisPauseMs: num(values['redis-pause-ms'], 10_000),
    redisDownMs: num(values['redis-down-ms'], 3_000),
    skewMs: optional(values['skew-ms']),
    requestedBuyers: optional(values.buyers),
    admitPerMinute: optional(values['admit-per-minute']),
    lateShare: num(values['late-share'], 0.1),
    eagerShare: num(values['eager-share'], 0.05),
    openInSeconds: num(values['open-in'], 3),
    maxPollSeconds: num(values['max-poll-seconds'], 30),
    signupConcurrency: num(values['signup-concurrency'], 8),
    purchases: optional(values.purchases),
    durationGiven: values.duration !== undefined,
    tag: randomUUID().slice(0, 8),
  };
}
