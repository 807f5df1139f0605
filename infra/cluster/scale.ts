// `cluster scale N` without failing a request:
//  - up: new replicas start and become ready before nginx routes to them;
//  - down: replicas leave nginx first (graceful reload; old workers finish their
//    requests and exit), and only then are stopped, draining what they still run.
import { reloadGateway, writeUpstreams } from '../lib/nginx.ts';
import { upstreamsOf } from './gateway.ts';
import { paths } from './paths.ts';
import { nextReplicaIds, startReplica, stopReplica } from './replicas.ts';
import { readSecretsForReplicas } from './secrets.ts';
import { type ClusterState, runningState, writeState } from './state.ts';

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
    const secrets = await readSecretsForReplicas();
    const env = { databaseUrl: state.databaseUrl, redisUrls: state.redisUrls, ...secrets };
    const added = await Promise.all(
      nextReplicaIds(current, target - current.length).map((id) => startReplica(id, env)),
    );
    const replicas = [...current, ...added];
    await writeUpstreams(paths.gateway(), upstreamsOf(replicas));
    await reloadGateway(paths.gateway());
    const next = { ...state, replicas };
    await writeState(next);
    log(`scaled up to ${replicas.length}: added ${added.map((r) => r.id).join(', ')}`);
    return next;
  }
  const keep = current.slice(0, target);
  const removed = current.slice(target);
  await writeUpstreams(paths.gateway(), upstreamsOf(keep));
  await reloadGateway(paths.gateway());
  const next = { ...state, replicas: keep };
  await writeState(next);
  await Promise.all(removed.map(stopReplica));
  log(`scaled down to ${keep.length}: drained and stopped ${removed.map((r) => r.id).join(', ')}`);
  return next;
}
