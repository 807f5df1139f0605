// `cluster down`: stops everything `up` and `scale` started: the supervisor first,
// so that it restarts nothing, then the gateway, so that no request reaches a
// replica that is stopping; leaves the data in place.
import { stopGateway } from '../lib/nginx.ts';
import { stopPostgresDir } from '../lib/postgres.ts';
import { stopProcess } from '../lib/process.ts';
import { paths } from './paths.ts';
import { stopReplica } from './replicas.ts';
import { clearState, readState } from './state.ts';
import { runningSupervisor, stopSupervisor } from './supervisor-client.ts';

export async function down(): Promise<void> {
  const state = readState();
  await stopSupervisor(state?.supervisorPid);
  await stopSupervisor(await runningSupervisor()); // one the state does not know of
  await stopGateway(paths.gateway());
  if (state) {
    await Promise.all(state.replicas.map(stopReplica));
    await Promise.all(state.redis.map((r) => stopProcess(r.pid)));
  }
  await stopPostgresDir(paths.postgres());
  await clearState();
  console.log('cluster: stopped');
}
