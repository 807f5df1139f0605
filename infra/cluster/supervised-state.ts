// cluster.json as the supervisor reads and changes it: only while it is still this
// cluster's, and each change under the cluster lock, to a replica still listed with
// the pid the supervisor knows (else it was stopped on purpose, or already replaced).
import { routeGatewayTo } from './gateway.ts';
import { withClusterLock } from './lock.ts';
import { replicaProcessEnv } from './replicas.ts';
import { readSecretsForReplicas } from './secrets.ts';
import { type ClusterState, type ReplicaState, readState, writeState } from './state.ts';

/** Which cluster the supervisor watches, and whether it is stopping (then nothing is changed). */
export interface Watch {
  clusterId: string;
  stopping(): boolean;
}

/** The cluster's state if it is ours; null if it is gone or another's; undefined if unreadable now. */
export function ownState(clusterId: string): ClusterState | null | undefined {
  let state: ClusterState | undefined;
  try {
    state = readState();
  } catch {
    return undefined; // a file being replaced by an older writer; next tick
  }
  return state?.startedAt === clusterId ? state : null;
}

/**
 * Under the cluster lock: if replica `id` is still listed with `pid`, applies `change` to
 * it and writes cluster.json. False (nothing changed) if it is not.
 */
export function updateListed(
  watch: Watch,
  id: string,
  pid: number,
  change: (replica: ReplicaState, state: ClusterState) => void | Promise<void>,
): Promise<boolean> {
  return withClusterLock(
    async () => {
      const state = ownState(watch.clusterId);
      const replica = state?.replicas.find((r) => r.id === id && r.pid === pid);
      if (!state || !replica || watch.stopping()) return false;
      await change(replica, state);
      await writeState(state);
      return true;
    },
    { waitMs: Number.POSITIVE_INFINITY },
  );
}

/** Under the lock, as `scale` does: upstreams from cluster.json, graceful reload. False if `pid` is gone. */
export function routeToListed(watch: Watch, id: string, pid: number): Promise<boolean> {
  return withClusterLock(
    async () => {
      const state = ownState(watch.clusterId);
      if (!state || watch.stopping() || !state.replicas.some((r) => r.id === id && r.pid === pid))
        return false;
      await routeGatewayTo(state.replicas);
      return true;
    },
    { waitMs: Number.POSITIVE_INFINITY },
  );
}

/** For a replica this supervisor did not spawn (it was started again): as `up` would start it. */
export async function envLikeUp(id: string, state: ClusterState): Promise<NodeJS.ProcessEnv> {
  const secrets = await readSecretsForReplicas();
  return replicaProcessEnv(id, 0, {
    databaseUrl: state.databaseUrl,
    redisUrls: state.redisUrls,
    rateLimitFactor: state.rateLimitFactor ?? 1,
    ...secrets,
  });
}
