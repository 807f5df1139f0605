// The faults, one kind each: what is done to the local cluster, when it begins and
// ends, and what was seen while it was done (the evidence the report gives).
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { repoRoot, serviceEntry } from '../../../infra/cluster/paths.ts';
import { isRoot, postgresBinDir } from '../../../infra/lib/debian.ts';
import { freePort } from '../../../infra/lib/free-port.ts';
import { pollUntil, processAlive, stopProcess } from '../../../infra/lib/process.ts';
import { startRedis } from '../../../infra/lib/redis.ts';
import { readClusterFile } from '../processes.ts';
import type { Api } from '../target.ts';
import {
  connectionPorts,
  freeze,
  holdsALock,
  liveReplicas,
  lockState,
  lockValue,
  metricsOf,
  processEnv,
  type Replica,
  redis,
  replicaReady,
  thaw,
} from './cluster.ts';

export interface FaultSettings {
  /** Lease of the event lock (LOCK_TTL_MS). */
  leaseMs: number;
  /** Replica pauses: how long the replica stays stopped. */
  pauseMs: number;
  /** Longest the pause-in-transaction fault looks for a moment inside a transaction. */
  probeMs: number;
  redisPauseMs: number;
  /** How long a shut-down Redis master stays down before it is started again. */
  redisDownMs: number;
  /** The skewed replica's injected clock offset (LOCK_CLOCK_SKEW_MS). */
  skewMs: number;
  /** Load after the fault ended, when the fault asks for no longer. */
  observeMs: number;
}

export interface FaultContext {
  stateFile: string;
  runDir: string;
  databaseUrl: string;
  eventId: string;
  settings: FaultSettings;
  /** Through the gateway. */
  client: Api;
  db: pg.Pool;
  /** The replica the gateway sends the event's purchases to, as the buyers last saw it. */
  eventReplica(): string | undefined;
}

export interface Injection {
  /** What was hit: a replica id, `Redis #2 (port …)`, `PostgreSQL`. */
  target: string;
  startedAt: number;
  endedAt: number;
  /** Where recovery is counted from, if not from endedAt. */
  recoveryFrom?: number;
  notes: string[];
  measures: Record<string, number | string | boolean | null>;
  /** The fault could not be done, or left the cluster broken. */
  failures: string[];
  /** Ends what still watches the cluster after the fault (called when the load ends). */
  finish?: () => Promise<void>;
  /** The load goes on at least until this settles (e.g. a killed replica is back, or its bound ran out). */
  pending?: Promise<void>;
}

/** Customers reaching a replica directly during the phase, instead of the default competitor. */
export interface PhaseSetup {
  direct?: { url: string; id: string; share: number };
  /** A replica the phase started itself (outside cluster.json). */
  replica?: Replica;
  cleanup(): Promise<void>;
  notes: string[];
}

export interface Bound {
  what: string;
  limitMs: number;
  /** Which figure it limits. */
  on: 'stall' | 'firstSale' | 'backInUpstream';
}

export interface FaultKind {
  name: string;
  /** One line for the usage text and the report. */
  summary: string;
  bound?(s: FaultSettings): Bound;
  /** Load after the fault ended. */
  observeMs(s: FaultSettings): number;
  setup?(ctx: Omit<FaultContext, 'eventId' | 'eventReplica'>): Promise<PhaseSetup>;
  inject(ctx: FaultContext, setup?: PhaseSetup): Promise<Injection>;
}

const pgPort = (databaseUrl: string) => Number(new URL(databaseUrl).port || 5432);
const redisPorts = (stateFile: string) => (readClusterFile(stateFile).redis ?? []).map((r) => r.port);
const secondsText = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The replica the gateway sends the event to, else the first live one. */
function eventTarget(ctx: FaultContext, notes: string[]): Replica {
  const live = liveReplicas(ctx.stateFile);
  const seen = ctx.eventReplica();
  const found = live.find((r) => r.id === seen);
  if (found) return found;
  const first = live[0];
  if (!first) throw new Error('no live replica to inject the fault into');
  notes.push(`the buyers had not yet seen which replica serves the event; took ${first.id}`);
  return first;
}

interface SessionState {
  state: string;
  query: string;
  xactMs: number | null;
}

/** PostgreSQL sessions of a process, as pg_stat_activity shows them now. */
async function sessionsOf(ctx: FaultContext, pid: number): Promise<SessionState[]> {
  const ports = connectionPorts(pid, pgPort(ctx.databaseUrl));
  if (ports.length === 0) return [];
  const { rows } = await ctx.db.query<{ state: string; query: string; xact_ms: number | null }>(
    `SELECT coalesce(state, '?') AS state, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query,
            round(extract(epoch FROM now() - xact_start) * 1000)::int AS xact_ms
       FROM pg_stat_activity WHERE client_addr = '127.0.0.1'::inet AND client_port = ANY($1::int[])`,
    [ports],
  );
  return rows.map((r) => ({ state: r.state, query: r.query, xactMs: r.xact_ms }));
}

const inTransaction = (s: SessionState) => s.state.startsWith('idle in transaction');

function describeSessions(sessions: SessionState[]): string {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${state}`).join(', ') || 'none';
  const tx = sessions.filter(inTransaction);
  return tx.length
    ? `${summary}; in a transaction for ${tx.map((s) => `${s.xactMs} ms after "${s.query}"`).join('; ')}`
    : summary;
}

async function waitForLock(ctx: FaultContext, maxMs: number): Promise<string | undefined> {
  const ports = redisPorts(ctx.stateFile);
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const value = await lockValue(ports, ctx.eventId);
    if (value) return value;
    await sleep(10);
  }
  return undefined;
}

/**
 * Stops `replica` at a moment it holds the event lock, as far as can be told beforehand:
 * the key is taken and the replica's counters say it holds a lock (or, if they do not
 * say, the key alone). After `maxMs` it is stopped anyway. Returns the key's value at the stop.
 */
async function stopWhileHolding(ctx: FaultContext, replica: Replica, maxMs: number) {
  const ports = redisPorts(ctx.stateFile);
  const deadline = Date.now() + maxMs;
  for (;;) {
    const [holding, lock] = await Promise.all([holdsALock(replica.port), lockState(ports, ctx.eventId)]);
    // A lease about to run out anyway says little about who held it: wait for a fresher one.
    if ((lock && lock.pttl >= 500 && holding !== false) || Date.now() >= deadline) {
      freeze(replica.pid);
      return { at: Date.now(), value: holding === false ? undefined : lock?.value };
    }
    await sleep(10);
  }
}

/**
 * Follows the lock value a stopped replica may hold until it is gone or `until`. A live
 * holder gives its lock back with part of the lease left (the service stops with a third
 * left); a stopped one cannot, so its key runs out: gone with (almost) no time left
 * means the stopped replica held it.
 */
async function followLock(ctx: FaultContext, value: string, until: number) {
  const ports = redisPorts(ctx.stateFile);
  let firstPttl: number | undefined;
  let lastPttl: number | undefined;
  while (Date.now() < until) {
    const now = await lockState(ports, ctx.eventId);
    if (now?.value !== value) return { gone: true, at: Date.now(), firstPttl, lastPttl };
    firstPttl ??= now.pttl;
    lastPttl = now.pttl;
    await sleep(20);
  }
  return { gone: false, at: Date.now(), firstPttl, lastPttl };
}

/** Keeps `replica` stopped for `pauseMs` from `stoppedAt`, saying what became of the lock meanwhile. */
async function holdStopped(
  ctx: FaultContext,
  replica: Replica,
  stoppedAt: number,
  pauseMs: number,
  valueAtStop: string | undefined,
  injection: Injection,
): Promise<void> {
  const end = stoppedAt + pauseMs;
  if (valueAtStop === undefined) {
    injection.measures.heldLockAtStop = false;
    injection.notes.push(`${replica.id} did not hold the event lock at the stop`);
  } else {
    const fate = await followLock(ctx, valueAtStop, end);
    // Only a key seen counting down for a while tells: one already at its end when first
    // seen could have been left by anyone.
    const watched = (fate.firstPttl ?? 0) - (fate.lastPttl ?? 0) >= 300;
    const ranOut = fate.gone && (fate.lastPttl ?? 0) <= 150;
    injection.measures.heldLockAtStop = !fate.gone || (ranOut && watched) ? true : ranOut ? null : false;
    if (fate.gone) injection.measures.lockFreeAfterMs = fate.at - stoppedAt;
    injection.notes.push(
      !fate.gone
        ? `the event lock held at the stop was still held when ${replica.id} resumed`
        : ranOut && watched
          ? `${replica.id} held the event lock: its key ran out ${fate.at - stoppedAt} ms into the stop (nobody gave it back)`
          : ranOut
            ? `the event lock ran out ${fate.at - stoppedAt} ms into the stop: too soon to tell who held it`
            : `the event lock was held at the stop by another replica: it was given back ${fate.at - stoppedAt} ms into the stop with ${fate.lastPttl} ms left`,
    );
  }
  await sleep(Math.max(0, end - Date.now()));
  thaw(replica.pid);
  injection.endedAt = Date.now();
}

const KILL_BOUND_MS = 10_000;

const replicaKill: FaultKind = {
  name: 'replica-kill',
  summary: 'kill -9 of the replica the gateway sends the event to',
  bound: () => ({
    what: 'killed replica back in the upstream',
    limitMs: KILL_BOUND_MS,
    on: 'backInUpstream',
  }),
  observeMs: (s) => s.observeMs,
  async inject(ctx) {
    const notes: string[] = [];
    const replica = eventTarget(ctx, notes);
    const startedAt = Date.now();
    process.kill(replica.pid, 'SIGKILL');
    const injection: Injection = {
      target: replica.id,
      startedAt,
      endedAt: startedAt,
      notes,
      measures: { restartedMs: null, backInUpstreamMs: null },
      failures: [],
    };
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

const replicaPause: FaultKind = {
  name: 'replica-pause',
  summary:
    'SIGSTOP of the replica the gateway sends the event to, at a moment it holds the event lock, for longer than the lease',
  bound: (s) => ({
    what: 'stall while a holder is paused (lease + 1 s)',
    limitMs: s.leaseMs + 1_000,
    on: 'stall',
  }),
  observeMs: (s) => s.observeMs,
  async inject(ctx) {
    const notes: string[] = [];
    const replica = eventTarget(ctx, notes);
    const { at: startedAt, value } = await stopWhileHolding(ctx, replica, ctx.settings.probeMs);
    const injection: Injection = {
      target: replica.id,
      startedAt,
      endedAt: startedAt,
      notes,
      measures: {},
      failures: [],
    };
    try {
      notes.push(`SIGSTOP to ${replica.id} for ${secondsText(ctx.settings.pauseMs)}`);
      const sessions = await sessionsOf(ctx, replica.pid);
      injection.measures.inTransaction = sessions.some(inTransaction);
      notes.push(`its PostgreSQL sessions at the stop: ${describeSessions(sessions)}`);
      await holdStopped(ctx, replica, startedAt, ctx.settings.pauseMs, value, injection);
    } finally {
      thaw(replica.pid);
    }
    return injection;
  },
};

const replicaPauseInTransaction: FaultKind = {
  name: 'replica-pause-in-tx',
  summary:
    "SIGSTOP of the event's replica at a moment PostgreSQL shows one of its sessions idle in transaction, for longer than the lease",
  bound: (s) => ({
    what: 'stall while a holder is paused in its transaction (lease + 1 s)',
    limitMs: s.leaseMs + 1_000,
    on: 'stall',
  }),
  observeMs: (s) => s.observeMs,
  async inject(ctx) {
    const notes: string[] = [];
    const replica = eventTarget(ctx, notes);
    const deadline = Date.now() + ctx.settings.probeMs;
    const ports = redisPorts(ctx.stateFile);
    let probes = 0;
    let probeStoppedMs = 0;
    // Short stops at random moments until one finds the replica inside a transaction: its
    // session is idle in transaction (the statement it sent has finished, the next one
    // will come from the stopped process). The stop that finds one is kept.
    for (;;) {
      const at = Date.now();
      freeze(replica.pid);
      probes++;
      let keep = false;
      try {
        await sleep(25);
        const sessions = await sessionsOf(ctx, replica.pid);
        keep = sessions.some(inTransaction) || Date.now() >= deadline;
        if (keep) {
          const value = await lockValue(ports, ctx.eventId);
          const injection: Injection = {
            target: replica.id,
            startedAt: at,
            endedAt: at,
            notes,
            measures: { inTransaction: sessions.some(inTransaction), probes, probeStoppedMs },
            failures: [],
          };
          notes.push(
            sessions.some(inTransaction)
              ? `SIGSTOP to ${replica.id} for ${secondsText(ctx.settings.pauseMs)}, found inside a transaction by probe ${probes} (the ${probes - 1} earlier short stops took ${probeStoppedMs} ms in all)`
              : `no stop found ${replica.id} inside a transaction in ${probes} probes (${secondsText(ctx.settings.probeMs)}); it was stopped for ${secondsText(ctx.settings.pauseMs)} at a random moment instead`,
            `its PostgreSQL sessions at the stop: ${describeSessions(sessions)}`,
          );
          await holdStopped(ctx, replica, at, ctx.settings.pauseMs, value, injection);
          return injection;
        }
      } finally {
        thaw(replica.pid);
        if (!keep) probeStoppedMs += Date.now() - at;
      }
      await sleep(40 + Math.random() * 200);
    }
  },
};

const redisPause: FaultKind = {
  name: 'redis-pause',
  summary: 'SIGSTOP of Redis master #1 (a hung master)',
  bound: () => ({ what: 'stall with a hung Redis master', limitMs: 2_000, on: 'stall' }),
  observeMs: (s) => s.observeMs,
  async inject(ctx) {
    const master = readClusterFile(ctx.stateFile).redis?.[0];
    if (!master) throw new Error('cluster.json lists no Redis master');
    const startedAt = Date.now();
    freeze(master.pid);
    try {
      await sleep(ctx.settings.redisPauseMs);
    } finally {
      thaw(master.pid);
    }
    return {
      target: `Redis #1 (port ${master.port})`,
      startedAt,
      endedAt: Date.now(),
      notes: [`SIGSTOP to Redis #1 (pid ${master.pid}) for ${secondsText(ctx.settings.redisPauseMs)}`],
      measures: {},
      failures: [],
    };
  },
};

const redisFlush: FaultKind = {
  name: 'redis-flush',
  summary: 'FLUSHALL on Redis masters #1 and #2 while the event lock is held (a restart that lost its keys)',
  observeMs: (s) => s.observeMs,
  async inject(ctx) {
    const masters = readClusterFile(ctx.stateFile).redis ?? [];
    const value = await waitForLock(ctx, ctx.settings.probeMs);
    const startedAt = Date.now();
    const failures: string[] = [];
    for (const r of masters.slice(0, 2))
      await redis(r.port, ['FLUSHALL']).catch((err: Error) =>
        failures.push(`FLUSHALL on port ${r.port} failed: ${err.message}`),
      );
    return {
      target: 'Redis #1 and #2',
      startedAt,
      endedAt: Date.now(),
      notes: [
        `FLUSHALL on Redis #1 and #2 ${value ? 'while the event lock was held' : 'with no event lock held (none seen within the probe time)'}`,
      ],
      measures: { lockHeldAtFlush: value !== undefined },
      failures,
    };
  },
};

const redisRestart: FaultKind = {
  name: 'redis-restart',
  summary: 'SHUTDOWN of Redis master #3, started again on its port with its configuration after a while',
  observeMs: (s) => s.observeMs,
  async inject(ctx) {
    const state = readClusterFile(ctx.stateFile);
    const index = (state.redis?.length ?? 0) - 1;
    const master = state.redis?.[index];
    if (!master) throw new Error('cluster.json lists no Redis master');
    const name = `Redis #${index + 1}`;
    const notes: string[] = [];
    const failures: string[] = [];
    const startedAt = Date.now();
    // SHUTDOWN answers nothing when it works (the connection just closes): its exit is awaited instead.
    void redis(master.port, ['SHUTDOWN']).catch(() => undefined);
    try {
      await pollUntil(() => !processAlive(master.pid), `${name} to exit`, 10_000);
    } catch {
      failures.push(`${name} (pid ${master.pid}) did not exit on SHUTDOWN within 10 s; killed`);
      await stopProcess(master.pid, 1_000, 'SIGKILL');
    }
    const downAt = Date.now();
    notes.push(`SHUTDOWN of ${name} (port ${master.port}) took ${downAt - startedAt} ms`);
    await sleep(ctx.settings.redisDownMs);
    let endedAt = Date.now();
    try {
      const again = await startRedis({
        dir: master.dir,
        port: master.port,
        appendOnly: true,
        detached: true,
      });
      endedAt = Date.now();
      await recordRedisPid(ctx.stateFile, index, again.pid);
      notes.push(
        `${name} down for ${secondsText(endedAt - downAt)}, started again on port ${master.port} as pid ${again.pid} (cluster.json updated)`,
      );
    } catch (err) {
      failures.push(`${name} could not be started again: ${(err as Error).message}`);
    }
    return { target: `${name} (port ${master.port})`, startedAt, endedAt, notes, measures: {}, failures };
  },
};

/**
 * A restarted Redis master has a new pid; `cluster down` stops masters by the pids of
 * cluster.json, so the file is updated, under the cluster's lock like every change to it.
 */
async function recordRedisPid(stateFile: string, index: number, pid: number): Promise<void> {
  const { withClusterLock } = await import('../../../infra/cluster/lock.ts');
  const previous = process.env.TICKETS_RUN_DIR;
  process.env.TICKETS_RUN_DIR = join(stateFile, '..');
  try {
    await withClusterLock(async () => {
      const state = JSON.parse(readFileSync(stateFile, 'utf8'));
      state.redis[index].pid = pid;
      writeFileSync(`${stateFile}.faults`, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(`${stateFile}.faults`, stateFile);
    });
  } finally {
    if (previous === undefined) delete process.env.TICKETS_RUN_DIR;
    else process.env.TICKETS_RUN_DIR = previous;
  }
}

const postgresRestart: FaultKind = {
  name: 'pg-restart',
  summary: 'pg_ctl restart -m immediate of PostgreSQL (crash and recovery)',
  bound: () => ({
    what: 'first sale after PostgreSQL accepts connections again',
    limitMs: 5_000,
    on: 'firstSale',
  }),
  observeMs: (s) => s.observeMs,
  async inject(ctx) {
    const dataDir = readClusterFile(ctx.stateFile).postgres?.dataDir;
    if (!dataDir) throw new Error('cluster.json names no PostgreSQL data directory');
    const pgCtl = join(postgresBinDir(), 'pg_ctl');
    const args = [
      '-D',
      dataDir,
      '-l',
      join(dataDir, 'postgres.log'),
      '-m',
      'immediate',
      '-w',
      '-t',
      '60',
      'restart',
    ];
    const [file, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', pgCtl, ...args]] : [pgCtl, args];
    // With synchronous_commit off (a cluster started with TICKETS_PG_FSYNC=off) a crash
    // loses commits that were already answered: the checker's "lost" then says so.
    const durability = await ctx.db
      .query<{ synchronous_commit: string }>('SHOW synchronous_commit')
      .then((r) => r.rows[0]?.synchronous_commit ?? '?')
      .catch(() => '?');
    const startedAt = Date.now();
    const restart = new Promise<string | undefined>((resolve) => {
      // cwd "/": the postgres user may not be allowed into ours.
      execFile(file, argv, { cwd: '/', encoding: 'utf8' }, (err, _out, stderr) =>
        resolve(err ? `${err.message} ${stderr}`.trim() : undefined),
      );
    });
    // When PostgreSQL accepts connections again, seen from here: a fresh connection that answers.
    let acceptedAt: number | undefined;
    let downSeen = false;
    while (Date.now() - startedAt < 60_000) {
      const probe = new pg.Client({ connectionString: ctx.databaseUrl, connectionTimeoutMillis: 500 });
      // The server may die under the probe: that is an answer (not yet), not a crash of this process.
      probe.on('error', () => undefined);
      const ok = await probe
        .connect()
        .then(() => probe.query('SELECT 1'))
        .then(() => true)
        .catch(() => false);
      await probe.end().catch(() => undefined);
      if (!ok) downSeen = true;
      else if (downSeen) {
        acceptedAt = Date.now();
        break;
      }
      await sleep(25);
    }
    const failed = await restart;
    const failures: string[] = [];
    if (failed) failures.push(`pg_ctl restart failed: ${failed}`);
    if (acceptedAt === undefined)
      failures.push('PostgreSQL was not seen accepting connections again within 60 s');
    const endedAt = acceptedAt ?? Date.now();
    return {
      target: 'PostgreSQL',
      startedAt,
      endedAt,
      recoveryFrom: acceptedAt,
      notes: [
        `pg_ctl restart -m immediate; connections accepted again after ${endedAt - startedAt} ms`,
        ...(durability === 'on'
          ? []
          : [
              `PostgreSQL runs with synchronous_commit=${durability}: a crash may lose commits already answered (start the cluster without TICKETS_PG_FSYNC=off)`,
            ]),
      ],
      measures: {
        acceptingAfterMs: acceptedAt === undefined ? null : acceptedAt - startedAt,
        synchronousCommit: durability,
      },
      failures,
    };
  },
};

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

const clockSkew: FaultKind = {
  name: 'clock-skew',
  summary: `an extra replica whose lock arithmetic runs ${SKEW_VARIABLE} ahead competes for the event (direct buyers) and is paused past its lease while it holds the lock`,
  observeMs: (s) => s.observeMs,
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
    const injection: Injection = {
      target: replica.id,
      startedAt,
      endedAt: startedAt,
      notes,
      measures: { skewApplied: serviceReadsSkew() },
      failures: [],
    };
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

/** Every fault, in the order a run injects them. */
export const faultKinds: FaultKind[] = [
  replicaKill,
  replicaPause,
  replicaPauseInTransaction,
  redisPause,
  redisFlush,
  redisRestart,
  postgresRestart,
  clockSkew,
];
