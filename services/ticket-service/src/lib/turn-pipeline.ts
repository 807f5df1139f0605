// Commands to one Redis server sent during one turn of the event loop go together,
// as one pipeline: one socket write however many there are.
//
// Why: in a surge a replica sends Redis a command per request (its rate-limit
// count) and per sale round (the seat-change message), and on this product's
// machines a socket write that wakes another process is the costliest thing such a
// step does (the hot replica's CPU profile during `hot-event` had the rate-limit
// write alone at about a tenth of its busy time). Redis answers a pipeline in one
// write too, and delivers the messages of one pipeline to each subscriber
// together. Each command keeps its own answer or error, and each is still bounded
// by the client's commandTimeout.
//
// Not ioredis's enableAutoPipelining, which does the same for every command: it
// throws outside any promise when a pipelined command times out (see
// plugins/external/redis.ts). Here a failed pipeline is each command's error.
import type { Redis } from 'ioredis';

export type CommandArg = string | number | boolean;

export interface TurnPipeline {
  /**
   * One command (a Redis command or a script defined on the client) in this
   * turn's pipeline: its own answer, or its own error.
   */
  send(command: string, args: CommandArg[]): Promise<unknown>;
}

type Pipeline = Record<string, (...args: CommandArg[]) => unknown> & {
  exec(): Promise<[Error | null, unknown][] | null>;
};

interface Queued {
  command: string;
  args: CommandArg[];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

// A bound on one pipeline's size: a turn of the event loop rarely asks more.
const MAX_PER_PIPELINE = 1_000;

export function createTurnPipeline(redis: Redis): TurnPipeline {
  let queued: Queued[] = [];

  function flush(): void {
    const turn = queued;
    queued = [];
    // A command alone goes as it is: a pipeline object per turn would cost more
    // than it saves (in a sale spread over many events, most turns carry one).
    const [only] = turn;
    if (turn.length === 1 && only) {
      const command = (redis as unknown as Pipeline)[only.command] as Pipeline[string];
      // (Inside a try: this runs from setImmediate, where a throw would end the process.)
      try {
        (command.apply(redis, only.args) as Promise<unknown>).then(only.resolve, only.reject);
      } catch (error) {
        only.reject(error as Error);
      }
      return;
    }
    for (let i = 0; i < turn.length; i += MAX_PER_PIPELINE) exec(turn.slice(i, i + MAX_PER_PIPELINE));
  }

  // Nothing here may throw: it runs from setImmediate, where a throw would end
  // the process and leave the turn's promises waiting forever. A command that
  // throws while it is added fails alone; the pipeline takes the others.
  function exec(commands: Queued[]): void {
    const added: Queued[] = [];
    let sent: ReturnType<Pipeline['exec']>;
    try {
      const pipeline = redis.pipeline() as unknown as Pipeline;
      for (const c of commands) {
        try {
          (pipeline[c.command] as Pipeline[string])(...c.args);
          added.push(c);
        } catch (error) {
          c.reject(error as Error);
        }
      }
      if (added.length === 0) return;
      sent = pipeline.exec();
    } catch (error) {
      // (A promise already rejected above stays as it was.)
      for (const c of commands) c.reject(error as Error);
      return;
    }
    sent.then(
      (results) => {
        for (const [i, c] of added.entries()) {
          const [error, value] = results?.[i] ?? [new Error('no answer in the pipeline')];
          if (error) c.reject(error);
          else c.resolve(value);
        }
      },
      (error: Error) => {
        for (const c of added) c.reject(error);
      },
    );
  }

  return {
    send(command, args) {
      // Checked here: a command the pipeline lacked would shift every answer after it.
      if (typeof (redis as unknown as Record<string, unknown>)[command] !== 'function') {
        return Promise.reject(new Error(`not a command of this client: ${command}`));
      }
      return new Promise((resolve, reject) => {
        if (queued.push({ command, args, resolve, reject }) === 1) setImmediate(flush);
      });
    },
  };
}
