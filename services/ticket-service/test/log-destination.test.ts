// The replica's log destination (server-options.ts, logDestination): lines are
// gathered before they are written, yet none is lost when the process exits, and
// a quiet replica's lines still reach the log without waiting for more.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const serverOptions = fileURLToPath(new URL('../src/server-options.ts', import.meta.url));

/** A process that logs `lines` lines through the replica's destination, then waits `stayMs`. */
function logger(lines: number, stayMs: number) {
  const script = `
    import pino from 'pino';
    import { logDestination } from ${JSON.stringify(serverOptions)};
    const log = pino(logDestination({ logBufferBytes: 4096 }));
    for (let i = 0; i < ${lines}; i++) log.info({ i }, 'line');
    setTimeout(() => {}, ${stayMs});
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const written = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { i: number }).i);
  return { child, exited, written };
}

describe('the log destination', () => {
  it('when a replica logs and exits, then every line is written, in order', async () => {
    // 200 lines of ~100 bytes: several buffers' worth, and a last one not full.
    const run = logger(200, 0);
    expect(await run.exited).toBe(0);
    expect(run.written()).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('when a quiet replica logs a few lines, then they are written while it runs, not held back', async () => {
    // Far fewer bytes than the buffer holds, and a process that lives a minute.
    const run = logger(3, 60_000);
    try {
      for (let i = 0; i < 500 && run.written().length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      expect(run.written()).toEqual([0, 1, 2]);
    } finally {
      run.child.kill('SIGKILL');
      await run.exited;
    }
  });
});
