// npm run loadtest -- <browse|spread|hot-event|sellout|scale|watch> [options]
//   --url URL            gateway (default: the local cluster in .run/)
//   --connections N      concurrent connections (default 32)
//   --duration S         seconds of load when no --amount (default 15)
//   --amount N           number of requests (hot-event: 20000, sellout: 10 × seats, watch: 0.8 × seats)
//   --seats N            seats of the event (hot-event 2000, sellout 1000, watch 500)
//   --events N           events for spread (default 50)
//   --buyers N           buyer accounts to sign up first (default 100)
//   --generators N       load generator processes (default 2)
//   --reference-seconds S  how long each reference runs (default 10)
//   --warmup S           purchase scenarios: seconds of the same mix on twelve other
//                        events first, not measured but checked (default 3; 0: none)
//   --subscribers N      watch: seat-stream subscribers (default 1000)
//   --rate N             watch: purchase attempts per second (default 20)
//   --watch-http 1|2     watch: subscribers over HTTP/2 (default; ≤ 100 streams per connection) or HTTP/1.1
//   --watch-processes N  watch: subscriber processes (default one per 500 subscribers)
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { printSummary, type Report, writeReport } from './report.ts';
import { browse } from './scenarios/browse.ts';
import { hotEvent, sellout, spread } from './scenarios/sales.ts';
import { scaleScenario } from './scenarios/scale.ts';
import { watch } from './scenarios/watch.ts';
import { api, loadTarget } from './target.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    connections: { type: 'string' },
    duration: { type: 'string' },
    amount: { type: 'string' },
    seats: { type: 'string' },
    events: { type: 'string' },
    buyers: { type: 'string' },
    generators: { type: 'string' },
    'reference-seconds': { type: 'string' },
    warmup: { type: 'string' },
    subscribers: { type: 'string' },
    rate: { type: 'string' },
    'watch-http': { type: 'string' },
    'watch-processes': { type: 'string' },
  },
});

const num = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
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
  tag: string;
}
const options: Options = {
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
  tag: randomUUID().slice(0, 8),
};

const scenarios: Record<
  string,
  (o: Options, t: ReturnType<typeof loadTarget>, c: ReturnType<typeof api>) => Promise<Report>
> = {
  browse,
  spread,
  'hot-event': hotEvent,
  sellout,
  scale: scaleScenario,
  watch,
};

async function main(): Promise<number> {
  const name = positionals[0] ?? '';
  const scenario = scenarios[name];
  if (!scenario) {
    console.error(`usage: npm run loadtest -- <${Object.keys(scenarios).join('|')}> [options]`);
    return 2;
  }
  const target = loadTarget({ url: values.url });
  const client = api(target);
  try {
    console.log(`loadtest ${name} against ${target.baseUrl}`);
    const report = await scenario(options, target, client);
    const files = writeReport(report);
    printSummary(report);
    console.log(`\n  report: ${files.html}\n  data:   ${files.json}`);
    const violated =
      report.oversold + report.lost + report.phantom > 0 ||
      (report.check && !report.check.valid) ||
      (report.failures?.length ?? 0) > 0;
    return violated ? 1 : 0;
  } finally {
    client.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`loadtest: ${err.stack ?? err.message}`);
    process.exitCode = 1;
  },
);
