// clock-skew: an extra replica, outside the gateway's upstream, whose lock arithmetic
// runs ahead, competing for the event with buyers of its own and paused past its lease
// while it holds the lock.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, serviceEntry } from '@tickets/infra/cluster/paths';
import { freePort } from '@tickets/infra/free-port';
import { pollUntil, processAlive, stopProcess } from '@tickets/infra/process';
import { readClusterFile } from '../processes.ts';
import { liveReplicas, metricsOf, processEnv, replicaReady, thaw } from './cluster.ts';
import { holdStopped, stopWhileHolding } from './event-lock.ts';
import { beginInjection, type FaultKind, secondsText } from './fault-kind.ts';

// The service has no hook for a skewed clock yet: this is the variable the skewed replica
// is started with, and the scenario says whether the service reads it (config.ts).
export const SKEW_VARIABLE = 'LOCK_CLOCK_SKEW_MS';

export function serviceReadsSkew(): boolean {
  try {
    return readFileSync(join(repoRoot, 'services/ticket-service/src/config.ts'), 'utf8').includes(
      SKEW_VARIABLE,
    );
  } catch {
    return false;
  }
}

export const clockSkew: FaultKind = {
  name: 'clock-skew',
  summary: `an extra replica whose lock arithmetic runs ${SKEW_VARIABLE} ahead competes for the event (direct buyers) and is paused past its lease while it holds the lock`,
  async setup(ctx) {
    const state = readClusterFile(ctx.stateFile);
    const secrets = JSON.parse(readFileSync(join(ctx.runDir, 'secrets.json'), 'utf8'));
    const model = liveReplicas(ctx.stateFile)[0];
    const inherited = model ? processEnv(model.pid) : {};
    const port = await freePort();
    const id = 'skewed';
    mkdirSync(join(ctx.runDir, 'logs'), { recursive: true });
    const log = openSync(join(ctx.runDir, 'logs', `${id}.log`), 'a');
    const child = spawn(process.execPath, [serviceEntry], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...inherited,
        NODE_NO_WARNINGS: '1',
        DATABASE_URL: state.databaseUrl ?? ctx.databaseUrl,
        REDIS_URLS: (state.redisUrls ?? []).join(','),
        JWT_SECRET: secrets.jwtSecret,
        REPLICA_ID: id,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DB_POOL_SIZE: '4',
        [SKEW_VARIABLE]: String(ctx.settings.skewMs),
      },
    });
    child.unref();
    const pid = child.pid as number;
    const stop = () => stopProcess(pid, 10_000);
    try {
      await pollUntil(
        async () => {
          if (!processAlive(pid))
            throw new Error(`the skewed replica exited; see ${join(ctx.runDir, 'logs', `${id}.log`)}`);
          return replicaReady(port);
        },
        'the skewed replica to become ready',
        60_000,
        100,
      );
    } catch (err) {
      await stop();
      throw err;
    }
    const reads = serviceReadsSkew();
    return {
      direct: { url: `http://127.0.0.1:${port}`, id, share: 0.5 },
      replica: { id, port, pid },
      cleanup: stop,
      notes: [
        `extra replica "${id}" (pid ${pid}, port ${port}, not in the gateway's upstream) started with ${SKEW_VARIABLE}=${ctx.settings.skewMs}; half the buyers reach it directly`,
        reads
          ? `the service reads ${SKEW_VARIABLE} (config.ts)`
          : `the service does not read ${SKEW_VARIABLE} yet (config.ts): its clock is NOT skewed, and this fault runs as a plain pause of a competing holder`,
      ],
    };
  },
  async inject(ctx, setup) {
    const replica = setup?.replica;
    if (!replica || !processAlive(replica.pid)) throw new Error('the skewed replica is not running');
    const { pid, port } = replica;
    const before = await metricsOf(port);
    const startedAt = Date.now();
    const notes = [...(setup?.notes ?? [])];
    const injection = beginInjection(replica.id, startedAt, notes, { skewApplied: serviceReadsSkew() });
    // Paused past its lease twice, each time while the lock is held: on waking, a replica
    // whose clock is right sees the lease gone; one whose clock runs ahead believes it
    // still holds the lock, and only the fence stops its writes.
    const pauseMs = ctx.settings.leaseMs + 500;
    for (let round = 1; round <= 2; round++) {
      const { at, value } = await stopWhileHolding(ctx, replica, ctx.settings.probeMs);
      if (round === 1) injection.startedAt = at;
      try {
        await holdStopped(ctx, replica, at, pauseMs, value, injection);
      } finally {
        thaw(pid);
      }
      await sleep(500);
    }
    injection.endedAt = Date.now();
    const after = await metricsOf(port);
    const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
    injection.measures.fencedRejections = delta('tickets_fenced_rejections_total');
    injection.measures.expiredLeases = delta('tickets_lock_failures_total{reason="expired"}');
    notes.push(
      `paused twice for ${secondsText(pauseMs)} while the lock was held; afterwards it counted ${injection.measures.fencedRejections} fenced write(s) and ${injection.measures.expiredLeases} lease(s) it saw had run out`,
    );
    return injection;
  },
};
