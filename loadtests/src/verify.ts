// After the timed part: settle every indeterminate purchase by retrying it with
// its own Idempotency-Key (the answer then says what really happened), then
// check I1–I5 against PostgreSQL and the seat maps the API shows (read as they are
// now, past the gateway's micro-cache: see seat-maps.ts). The history is streamed,
// never read whole (history.ts), so a run of any length can be settled and checked.
import { appendFileSync } from 'node:fs';
import pg from 'pg';
import { type CheckReport, checkInvariants } from '../lib/checker.ts';
import { type HistoryLine, purchasePath, streamAttempts, undecidedStreamed } from './history.ts';
import { outcomeOf } from './purchase-mix.ts';
import type { Api, PreparedBuyer } from './target.ts';

export async function settleIndeterminate(
  client: Api,
  files: string[],
  buyers: PreparedBuyer[],
  retryFile: string,
  /** More headers for a retry (the surge scenario's Admission-Token of the buyer). */
  headersOf: (line: HistoryLine) => Record<string, string> = () => ({}),
): Promise<number> {
  const tokens = new Map(buyers.map((b) => [b.id, b.token]));
  let retried = 0;
  for (let round = 0; round < 5; round++) {
    const open = await undecidedStreamed([...files, retryFile]);
    if (open.length === 0) break;
    for (const line of open) {
      retried++;
      const res = await client
        .call('POST', purchasePath(line), line.request, {
          ...headersOf(line),
          authorization: `Bearer ${tokens.get(line.userId)}`,
          'idempotency-key': line.key,
        })
        .catch(() => ({ status: 0, json: undefined }));
      const outcome = outcomeOf(res.status);
      const retry: HistoryLine = {
        type: 'retry',
        key: line.key,
        userId: line.userId,
        eventId: line.eventId,
        path: line.path,
        outcome,
        status: res.status,
        code: res.json?.code,
        orderId: outcome === 'ok' ? res.json?.id : undefined,
        seatIds: outcome === 'ok' ? res.json?.seats?.map((s: { id: string }) => s.id) : undefined,
        at: Date.now(),
      };
      appendFileSync(retryFile, `${JSON.stringify(retry)}\n`);
    }
  }
  return retried;
}

export async function checkRun(
  client: Api,
  databaseUrl: string,
  eventIds: string[],
  files: string[],
): Promise<CheckReport> {
  const seatMaps = await Promise.all(
    eventIds.map(async (eventId) => ({
      eventId,
      seats: (await client.seatMap(eventId)).seats,
    })),
  );
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    // The history streamed line by line, the database read in keyset pages (checker.ts).
    return await checkInvariants(pool, { eventIds, history: streamAttempts(files), seatMaps });
  } finally {
    await pool.end();
  }
}
