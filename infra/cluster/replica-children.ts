// The replica processes the supervisor spawned: how each one ended, as Node reported
// it, and the environment it was started with, kept until a restart takes them.
import type { ChildProcess } from 'node:child_process';
import { spawnReplicaProcess } from './replicas.ts';
import type { ReplicaExit } from './state.ts';

export type Exit = Omit<ReplicaExit, 'at'> & { at: number };

export class ReplicaChildren {
  /** Spawned and not exited, by pid. */
  private readonly running = new Map<number, ChildProcess>();
  private readonly exits = new Map<number, Exit>();
  private readonly envs = new Map<number, NodeJS.ProcessEnv>();
  private readonly onExit: (id: string, pid: number) => void;
  private readonly log: (msg: string) => void;

  constructor(onExit: (id: string, pid: number) => void, log: (msg: string) => void) {
    this.onExit = onExit;
    this.log = log;
  }

  spawn(id: string, env: NodeJS.ProcessEnv): number {
    const child = spawnReplicaProcess(id, env);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`replica ${id} could not be spawned`);
    this.envs.set(pid, env);
    this.running.set(pid, child);
    child.once('error', (err) => this.log(`${id} (pid ${pid}): ${err.message}`));
    child.once('exit', (code, signal) => {
      this.running.delete(pid);
      this.exits.set(pid, { code, signal, at: Date.now() });
      this.onExit(id, pid);
    });
    return pid;
  }

  isRunning(pid: number): boolean {
    return this.running.has(pid);
  }

  hasExited(pid: number): boolean {
    return this.exits.has(pid);
  }

  /** How `pid` ended (unknown, as now, for a process this supervisor did not spawn). */
  takeExit(pid: number): Exit {
    const exit = this.exits.get(pid) ?? { code: null, signal: null, at: Date.now() };
    this.exits.delete(pid);
    return exit;
  }

  takeEnv(pid: number): NodeJS.ProcessEnv | undefined {
    const env = this.envs.get(pid);
    this.envs.delete(pid);
    return env;
  }

  /** Lets the supervisor exit without them: replicas are detached and outlive their parent. */
  release(): void {
    for (const child of this.running.values()) child.unref();
  }
}
