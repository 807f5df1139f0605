// The buyers of one fault's sale: the buyer process (buyers.ts) started on a plan
// written to a file, its PROGRESS lines followed (they say which replica serves the
// event), and its RESULT read once SIGTERM has ended the arrivals.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuyersPlan } from '../plan.ts';

const buyersEntry = join(import.meta.dirname, '../buyers.ts');

export interface BuyersResult {
  arrived: number;
  turnedAway: number;
  holds: Record<string, number>;
  maxInFlight: number;
}

/** The buyer process of one fault: started now; `stop()` ends arrivals and waits for those in flight. */
export function startBuyers(
  plan: BuyersPlan,
  label: string,
  onProgress: (p: { eventReplica?: string }) => void,
) {
  const dir = mkdtempSync(join(tmpdir(), 'tickets-faults-'));
  const file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  const child = spawn(process.execPath, [buyersEntry, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = Date.now();
  let result: BuyersResult | undefined;
  let last: { answers: number; ok: number; inFlight: number; eventReplica?: string } = {
    answers: 0,
    ok: 0,
    inFlight: 0,
  };
  let buffer = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith('PROGRESS ')) {
        last = JSON.parse(line.slice(9));
        onProgress(last);
      } else if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7));
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ticker = setInterval(() => {
    const line = `  ${label}: ${((Date.now() - started) / 1000).toFixed(0)} s, ${last.answers} answers, ${last.ok} sold, ${last.inFlight} in flight`;
    process.stdout.write(process.stdout.isTTY ? `\r${line}      ` : `${line}\n`);
  }, 1000);
  return {
    async stop(graceMs: number): Promise<BuyersResult | undefined> {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      clearInterval(ticker);
      rmSync(dir, { recursive: true, force: true });
      if (process.stdout.isTTY) process.stdout.write('\n');
      return result;
    },
  };
}
