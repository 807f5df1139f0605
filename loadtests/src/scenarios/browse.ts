// browse: the seat map of a 1,000-seat event through the gateway. Reference:
// nginx serving the very same bytes as a static file, over the same TLS.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from '../options.ts';
import { clusterSources, hasCluster } from '../processes.ts';
import { limitedBy, machine, type Report } from '../report.ts';
import { runLoad } from '../run-load.ts';
import { type Api, adminToken, createEvent, type Target } from '../target.ts';

export async function browse(o: Options, target: Target, client: Api): Promise<Report> {
  const token = await adminToken(client, target);
  const event = await createEvent(client, token, `Browse ${o.tag}`, [
    { name: 'Hall', rows: 40, seatsPerRow: 25, priceCents: 3000 },
  ]);
  const path = `/api/v1/events/${event.id}/seats`;
  const startedAt = new Date().toISOString();
  const base = {
    baseUrl: target.baseUrl,
    ca: target.ca,
    connectAtStart: target.connectAtStart,
    connections: o.connections,
    amount: o.amount,
    durationSeconds: o.durationSeconds,
  };
  const load = await runLoad({ ...base, get: path }, o.generators, 'browse', {
    cpu: hasCluster(target.runDir) ? clusterSources(target.runDir) : [],
  });

  let reference: Report['reference'] = null;
  if (target.runDir) {
    // The same bytes, served by nginx from its web root.
    const bytes = (await client.call('GET', path)).json;
    mkdirSync(join(target.runDir, 'www/loadtest'), { recursive: true });
    writeFileSync(join(target.runDir, 'www/loadtest/seatmap.json'), JSON.stringify(bytes));
    const ref = await runLoad(
      { ...base, amount: undefined, durationSeconds: o.referenceSeconds, get: '/loadtest/seatmap.json' },
      o.generators,
      'reference: static file',
    );
    reference = {
      name: 'nginx serving the same seat-map bytes as a static file (req/s)',
      value: ref.throughput,
    };
  }
  const ok = load.outcomes['200'] ?? 0;
  return {
    scenario: 'browse',
    startedAt,
    machine: machine(),
    attempted: load.requests,
    ok,
    failed: load.requests - ok,
    indeterminate: load.errors + load.timeouts,
    oversold: 0,
    lost: 0,
    phantom: 0,
    throughput: load.throughput,
    cpu: load.cpu,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    reference,
    ratio: reference ? load.throughput / reference.value : null,
    generatorCpuPercent: load.generatorCpuPercent,
    limitedBy: limitedBy(load, 'the replicas (seat-map query and JSON) and nginx on the shared 2 cores'),
    details: { seats: event.seatIds.length, path },
    load,
  };
}
