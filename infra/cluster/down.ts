// `cluster down`: stops everything `up` and `scale` started, gateway first so no
// request reaches a replica that is stopping; leaves the data in place.
import { stopGateway } from '../lib/nginx.ts';
import { stopPostgresDir } from '../lib/postgres.ts';
import { stopProcess } from '../lib/process.ts';
import { paths } from './paths.ts';
import { stopReplica } from './replicas.ts';
import { clearState, readState } from './state.ts';

export async function down(): Promise<void> {
  const state = readState();
  await stopGateway(paths.gateway());
  if (state) {
    await Promise.all(state.replicas.map(stopReplica));
    await Promise.all(state.redis.map((r) => stopProcess(r.pid)));
  }
  await stopPostgresDir(paths.postgres());
  await clearState();
  console.log('cluster: stopped');
}
