// A purchase's answer as a `complete` line of the history, the same from every client
// that buys outside the generators (the faults buyers, the surge's buyers), so that the
// settling pass, the checker and the reports read their lines alike.
import type { Answer } from './exchange.ts';
import { type HistoryLine, monoMs } from './history.ts';
import { outcomeOf } from './purchase-mix.ts';

/** No answer at all (status 0) is indeterminate: the purchase may or may not have happened. */
export const answerOutcome = (a: Answer) => (a.status === 0 ? 'info' : outcomeOf(a.status));

export function answerLine(
  base: Pick<HistoryLine, 'key' | 'userId' | 'eventId' | 'path'>,
  send: { attempt: number; latencyMs: number; via?: string },
  a: Answer,
): HistoryLine {
  const outcome = answerOutcome(a);
  return {
    type: 'complete',
    ...base,
    via: send.via,
    attempt: send.attempt,
    outcome,
    status: a.status,
    code: a.status === 0 ? a.error : a.json?.code,
    orderId: outcome === 'ok' ? a.json?.id : undefined,
    seatIds: outcome === 'ok' ? a.json?.seats?.map((s: { id: string }) => s.id) : undefined,
    replica: a.headers['x-replica-id'] as string | undefined,
    at: Date.now(),
    mono: monoMs(),
    latencyMs: send.latencyMs,
  };
}
