// `cluster status`: the supervisor; each replica's readiness, in-flight and
// served requests and restarts; the Redis nodes and the database.
import pg from 'pg';
import { processAlive } from '../lib/process.ts';
import { redisCommand } from '../lib/redis.ts';
import { paths } from './paths.ts';
import { probe } from './replicas.ts';
import { describeExit, type ReplicaState, readState } from './state.ts';
import { isSupervisor } from './supervisor-client.ts';

export async function status(): Promise<boolean> {
  const state = readState();
  if (!state || !processAlive(state.gatewayPid)) {
    console.log('cluster: not running');
    return false;
  }
  console.log(`gateway   ${state.gatewayUrl}  (nginx pid ${state.gatewayPid})`);
  console.log(
    isSupervisor(state.supervisorPid)
      ? `supervisor pid ${state.supervisorPid}  (restarts replicas that exit; log ${paths.supervisorLog()})`
      : 'supervisor NOT RUNNING: a replica that exits stays down; `npm run cluster -- up` starts it again',
  );
  console.log('replica   port   pid      ready  in-flight  served  restarts  last exit         last restart');
  const now = Date.now();
  for (const r of state.replicas) {
    const p = await probe(r);
    const cells = [r.id.padEnd(9), String(r.port).padEnd(6), String(r.pid).padEnd(8)];
    cells.push(
      (p.ready ? 'yes' : 'NO').padEnd(6),
      String(p.inFlight ?? '-').padEnd(10),
      String(p.served ?? '-').padEnd(7),
      ...restartCells(r, now),
    );
    console.log(cells.join(' ').trimEnd());
  }
  for (const [i, node] of state.redis.entries()) {
    const pong = await redisCommand(node.port, ['PING']).catch(() => null);
    console.log(`redis-${i + 1}   ${node.port}  ${pong === 'PONG' ? 'up' : 'DOWN'}`);
  }
  const client = new pg.Client({ connectionString: state.databaseUrl, connectionTimeoutMillis: 2_000 });
  const database = await client
    .connect()
    .then(() => client.query('SELECT count(*)::int AS n FROM events'))
    .then((r) => `up (${r.rows[0].n} events)`)
    .catch((err: Error) => `DOWN (${err.message})`)
    .finally(() => client.end().catch(() => undefined));
  console.log(`database  ${state.postgres.port}  ${database}`);
  return true;
}

/** restarts, last exit (code or signal, how long ago), last restart (and the next one while backing off). */
function restartCells(r: ReplicaState, now: number): string[] {
  const exit = r.lastExit ? `${describeExit(r.lastExit)} ${ago(r.lastExit.at, now)}` : '-';
  let restart = r.lastRestartAt ? ago(r.lastRestartAt, now) : '-';
  if (r.nextRestartAt) {
    const wait = Math.max(0, Math.ceil((Date.parse(r.nextRestartAt) - now) / 1000));
    restart += `, back-off: next in ${wait}s`;
  }
  return [String(r.restarts ?? 0).padEnd(9), exit.padEnd(17), restart];
}

function ago(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}
