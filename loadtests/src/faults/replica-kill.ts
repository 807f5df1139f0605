// replica-kill: kill -9 of the replica the gateway sends the event to, then watching
// for it to be started again by the supervisor and back in the gateway's upstream.
import { setTimeout as sleep } from 'node:timers/promises';
import { processAlive } from '@tickets/infra/process';
import { readClusterFile } from '../processes.ts';
import { replicaReady } from './cluster.ts';
import { beginInjection, eventTarget, type FaultKind } from './fault-kind.ts';

const KILL_BOUND_MS = 10_000;

export const replicaKill: FaultKind = {
  name: 'replica-kill',
  summary: 'kill -9 of the replica the gateway sends the event to',
  bound: () => ({
    what: 'killed replica back in the upstream',
    limitMs: KILL_BOUND_MS,
    on: 'backInUpstream',
  }),
  async inject(ctx) {
    const { replica, notes } = eventTarget(ctx);
    const startedAt = Date.now();
    process.kill(replica.pid, 'SIGKILL');
    const injection = beginInjection(replica.id, startedAt, notes, {
      restartedMs: null,
      backInUpstreamMs: null,
    });
    notes.push(`SIGKILL to ${replica.id} (pid ${replica.pid})`);
    // Watches for the replica to come back: started again (a live process under its id
    // that is ready), and answering through the gateway. The load goes on until it is
    // back, or until its bound (and a little more) has passed.
    let watching = true;
    const watchUntil = startedAt + KILL_BOUND_MS + 2_000;
    let back: () => void = () => undefined;
    injection.pending = new Promise<void>((resolve) => {
      back = resolve;
    });
    const watch = (async () => {
      while (watching) {
        const backMs = injection.measures.backInUpstreamMs as number | null;
        if ((backMs !== null && Date.now() >= startedAt + backMs + 2_000) || Date.now() >= watchUntil) back();
        const again = (readClusterFile(ctx.stateFile).replicas ?? []).find((r) => r.id === replica.id);
        if (
          injection.measures.restartedMs === null &&
          again &&
          again.pid !== replica.pid &&
          processAlive(again.pid) &&
          (await replicaReady(again.port))
        ) {
          injection.measures.restartedMs = Date.now() - startedAt;
          notes.push(`${replica.id} started again as pid ${again.pid}, port ${again.port}`);
        }
        if (injection.measures.backInUpstreamMs === null) {
          const res = await ctx.client.call('GET', `/api/v1/events/${ctx.eventId}`).catch(() => undefined);
          if (res?.headers['x-replica-id'] === replica.id)
            injection.measures.backInUpstreamMs = Date.now() - startedAt;
        }
        await sleep(200);
      }
    })().finally(back);
    injection.finish = async () => {
      watching = false;
      await watch;
    };
    return injection;
  },
};
