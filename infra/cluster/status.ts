// `cluster status`: each replica's readiness, in-flight and served requests,
// the Redis nodes and the database.
import pg from 'pg';
import { processAlive } from '../lib/process.ts';
import { redisCommand } from '../lib/redis.ts';
import { probe } from './replicas.ts';
import { readState } from './state.ts';

export async function status(): Promise<boolean> {
  const state = readState();
  if (!state || !processAlive(state.gatewayPid)) {
    console.log('cluster: not running');
    return false;
  }
  console.log(`gateway   ${state.gatewayUrl}  (nginx pid ${state.gatewayPid})`);
  console.log('replica   port   pid      ready  in-flight  served');
  for (const r of state.replicas) {
    const p = await probe(r);
    const cells = [r.id.padEnd(9), String(r.port).padEnd(6), String(r.pid).padEnd(8)];
    cells.push(
      (p.ready ? 'yes' : 'NO').padEnd(6),
      String(p.inFlight ?? '-').padEnd(10),
      String(p.served ?? '-'),
    );
    console.log(cells.join(' '));
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
