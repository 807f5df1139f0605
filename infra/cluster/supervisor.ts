// The cluster's supervisor: one detached process per cluster (pid in
// cluster.json, stopped first by `down`), the parent of every replica. `up` and
// `scale` ask it to spawn replicas (supervisor-client.ts); when a replica that
// cluster.json still lists exits, it starts it again after a back-off, like a
// kubelet: 0.5 s, 1 s, 2 s … at most 30 s, back to 0.5 s once a replica has stayed
// up for 60 s. The new process takes the same port when it is free (else a new
// one), and once it is ready the gateway's upstreams are rewritten from
// cluster.json and nginx reloads, which also clears its memory of the failures.
//
// Replicas stopped on purpose are never restarted: `scale` removes a replica from
// cluster.json (under the cluster lock) before it stops it, and `down` stops the
// supervisor before anything else. Every step here that reads or changes
// cluster.json holds the same lock and first checks that the replica is still
// listed with the pid that exited; a new process is recorded in cluster.json as
// it is spawned, so a `scale` or `down` meanwhile stops it like any other.
// Waiting out the back-off and for the new process to be ready happen outside
// the lock, so commands never wait for a replica to start.
//
// The parts: supervisor-socket.ts (requests from the commands), replica-children.ts
// (the processes it spawned), supervised-state.ts (cluster.json under the lock).
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { freePort } from '../lib/free-port.ts';
import { processAlive } from '../lib/process.ts';
import { paths } from './paths.ts';
import { ReplicaChildren } from './replica-children.ts';
import { READY_TIMEOUT_MS, waitUntilReady } from './replicas.ts';
import { describeExit } from './state.ts';
import { envLikeUp, ownState, routeToListed, updateListed, type Watch } from './supervised-state.ts';
import type { SupervisorReply, SupervisorRequest } from './supervisor-client.ts';
import { serveRequests } from './supervisor-socket.ts';

export const BACKOFF = { firstMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/** The wait before restart number `attempt` + 1 since the replica last stayed up (0-based). */
export function restartDelay(attempt: number): number {
  return Math.min(BACKOFF.maxMs, BACKOFF.firstMs * 2 ** attempt);
}

const TICK_MS = 500;

const log = (msg: string) => console.log(`${new Date().toISOString()} supervisor: ${msg}`);

/** Runs until SIGTERM/SIGINT, or until its cluster is gone. */
export function runSupervisor(clusterId: string, ownerPid: number): Promise<void> {
  return new Supervisor(clusterId, ownerPid).run();
}

class Supervisor {
  private server: Server | undefined;
  private tick: NodeJS.Timeout | undefined;
  private stopping = false;
  private seenState = false;
  private done: () => void = () => undefined;
  private readonly wakers = new Set<() => void>();
  private readonly children = new ReplicaChildren(
    (id, pid) => this.gone(id, pid),
    (msg) => log(msg),
  );
  /** Restarts since the replica last stayed up (for the back-off). */
  private readonly attempts = new Map<string, number>();
  /** Since when the replica's current process has been up, as far as we know. */
  private readonly upSince = new Map<string, { pid: number; since: number }>();
  private readonly recovering = new Set<string>();
  private readonly handled = new Set<number>();

  private readonly clusterId: string;
  private readonly ownerPid: number;
  private readonly watch: Watch;

  constructor(clusterId: string, ownerPid: number) {
    this.clusterId = clusterId;
    this.ownerPid = ownerPid;
    this.watch = { clusterId, stopping: () => this.stopping };
  }

  async run(): Promise<void> {
    this.server = await serveRequests(paths.supervisorSocket(), (request) => this.answer(request));
    const stop = (signal: NodeJS.Signals) => this.stop(`${signal} received`);
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    this.tick = setInterval(() => this.check(), TICK_MS);
    log(`watching the cluster started at ${this.clusterId} (pid ${process.pid})`);
    await new Promise<void>((resolve) => {
      this.done = resolve;
    });
  }

  private stop(why: string): void {
    if (this.stopping) return;
    this.stopping = true;
    log(`stopping: ${why}`);
    clearInterval(this.tick);
    for (const wake of this.wakers) wake();
    this.server?.close();
    rmSync(paths.supervisorSocket(), { force: true });
    this.children.release();
    this.done();
  }

  // --- requests from `up` and `scale` ---

  private answer(request: SupervisorRequest): SupervisorReply {
    if (request.op === 'ping') return { pid: process.pid };
    if (this.stopping) return { error: 'the supervisor is stopping' };
    const pid = this.children.spawn(request.id, request.env);
    log(`started ${request.id} (pid ${pid}, port ${request.env.PORT})`);
    return { pid };
  }

  // --- noticing exits ---

  /** Every half second: exits the exit event cannot report (replicas we did not spawn). */
  private check(): void {
    if (this.stopping) return;
    const state = ownState(this.clusterId);
    if (state === undefined) return;
    if (state === null) {
      if (this.seenState) this.stop('the cluster is gone (down, or replaced)');
      else if (!processAlive(this.ownerPid))
        this.stop(`\`up\` (pid ${this.ownerPid}) ended before the cluster ran`);
      return;
    }
    this.seenState = true;
    if (state.supervisorPid && state.supervisorPid !== process.pid && processAlive(state.supervisorPid)) {
      this.stop(`pid ${state.supervisorPid} supervises this cluster now`);
      return;
    }
    const now = Date.now();
    for (const replica of state.replicas) {
      if (processAlive(replica.pid)) {
        if (this.upSince.get(replica.id)?.pid !== replica.pid)
          this.upSince.set(replica.id, { pid: replica.pid, since: now });
      } else {
        this.gone(replica.id, replica.pid);
      }
    }
    const listed = new Set(state.replicas.map((r) => r.id));
    for (const map of [this.attempts, this.upSince]) {
      for (const id of map.keys()) if (!listed.has(id) && !this.recovering.has(id)) map.delete(id);
    }
  }

  private gone(id: string, pid: number): void {
    if (this.stopping || this.recovering.has(id) || this.handled.has(pid)) return;
    this.handled.add(pid);
    this.recovering.add(id);
    this.recover(id, pid)
      .catch((err: Error) => log(`${id}: restart failed: ${err.message}`))
      .finally(() => this.recovering.delete(id));
  }

  // --- restarting ---

  private async recover(id: string, exitedPid: number): Promise<void> {
    let pid = exitedPid;
    // The check may see a child dead (a zombie) a moment before Node reaps it and reports how it ended.
    await until(() => !this.children.isRunning(pid) || this.stopping, 5_000);
    let exit = this.children.takeExit(pid);
    let env = this.children.takeEnv(pid);
    for (;;) {
      const up = this.upSince.get(id);
      if (up?.pid === pid && exit.at - up.since >= BACKOFF.resetAfterMs) this.attempts.delete(id);
      const attempt = this.attempts.get(id) ?? 0;
      const wait = restartDelay(attempt);
      const recorded = await updateListed(this.watch, id, pid, (replica) => {
        replica.lastExit = { ...exit, at: new Date(exit.at).toISOString() };
        replica.nextRestartAt = new Date(Date.now() + wait).toISOString();
      });
      if (!recorded) return;
      log(
        `${id} (pid ${pid}) ended: ${describeExit(exit)}${exit.reason ? ` (${exit.reason})` : ''}; ` +
          `restart ${attempt + 1} in ${wait / 1000} s`,
      );
      await this.sleep(wait);

      let started: { pid: number; port: number } | undefined;
      const restarted = await updateListed(this.watch, id, pid, async (replica, state) => {
        const port = (await portIsFree(replica.port)) ? replica.port : await freePort();
        env ??= await envLikeUp(id, state);
        started = { pid: this.children.spawn(id, { ...env, PORT: String(port) }), port };
        replica.pid = started.pid;
        replica.port = port;
        replica.restarts = (replica.restarts ?? 0) + 1;
        replica.lastRestartAt = new Date().toISOString();
        delete replica.nextRestartAt;
      });
      if (!restarted || !started) return;
      this.attempts.set(id, attempt + 1);
      pid = started.pid;
      log(`${id}: started again as pid ${pid} on port ${started.port}`);
      try {
        await waitUntilReady({ id, ...started });
      } catch {
        // Exited, or alive but not ready in time (then it is ended here, like a failed startup probe).
        const reason = processAlive(pid) ? `not ready within ${READY_TIMEOUT_MS / 1000} s` : undefined;
        if (reason) process.kill(pid, 'SIGKILL');
        await until(() => this.children.hasExited(pid) || this.stopping, 10_000);
        if (this.stopping) return;
        exit = { ...this.children.takeExit(pid), ...(reason ? { reason } : {}) };
        env = this.children.takeEnv(pid) ?? env;
        continue;
      }
      this.upSince.set(id, { pid, since: Date.now() });
      await this.route(id, pid);
      // An exit from now on is noticed by the next check (this restart is over).
      return;
    }
  }

  /** Once a restarted replica is ready, the gateway routes to it again. */
  private async route(id: string, pid: number): Promise<void> {
    try {
      if (await routeToListed(this.watch, id, pid))
        log(`${id} (pid ${pid}) is ready; the gateway routes to it again`);
    } catch (err) {
      log(`${id} (pid ${pid}) is ready, but the gateway was not reloaded: ${(err as Error).message}`);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}

async function until(check: () => boolean, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

/** Whether nothing listens on (or holds) the loopback port now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
