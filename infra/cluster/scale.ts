// `cluster scale N` without failing a request:
//  - up: new replicas start and become ready before nginx routes to them;
//  - down: replicas leave nginx first (graceful reload; old workers finish their
//    requests and exit), and only then are stopped, draining what they still run;
//    they leave cluster.json before they are stopped, so the supervisor (which
//    restarts only listed replicas) leaves them stopped.
import { routeGatewayTo } from './gateway.ts';
import { nextReplicaIds, startReplica, stopReplica } from './replicas.ts';
import { readSecretsForReplicas } from './secrets.ts';
import { type ClusterState, runningState, writeState } from './state.ts';
import { ensureSupervisor } from './supervisor-client.ts';

const log = (msg: string) => console.log(`cluster: ${msg}`);

export async function scale(target: number): Promise<ClusterState> {
  if (!Number.isInteger(target) || target < 1) throw new Error('scale needs a replica count of at least 1');
  const state = runningState();
  if (!state) throw new Error('the cluster is not running; start it with `npm run cluster -- up`');
  const current = state.replicas;
  if (target === current.length) {
    log(`already ${target} replica(s)`);
    return state;
  }
  if (target > current.length) {
    await ensureSupervisor(state);
    const secrets = await readSecretsForReplicas();
    const env = {
      databaseUrl: state.databaseUrl,
      redisUrls: state.redisUrls,
      rateLimitFactor: state.rateLimitFactor ?? 1,
      ...secrets,
    };
    const added = await Promise.all(
      nextReplicaIds(current, target - current.length).map((id) => startReplica(id, env)),
    );
    const replicas = [...current, ...added];
    await routeGatewayTo(replicas);
    const next = { ...state, replicas };
    await writeState(next);
    log(`scaled up to ${replicas.length}: added ${added.map((r) => r.id).join(', ')}`);
    return next;
  }
  const keep = current.slice(0, target);
  const removed = current.slice(target);
  await routeGatewayTo(keep);
  const next = { ...state, replicas: keep };
  await writeState(next);
  await Promise.all(removed.map(stopReplica));
  log(`scaled down to ${keep.length}: drained and stopped ${removed.map((r) => r.id).join(', ')}`);
  return next;
}
