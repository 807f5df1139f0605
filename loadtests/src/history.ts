// The purchase history of a run (JSONL): an `invoke` line when a request is sent,
// a `complete` line when its answer arrives. An invoke without a completion is
// indeterminate, like a 5xx: it may or may not have happened.
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Attempt } from '../lib/checker.ts';

export interface HistoryLine {
  type: 'invoke' | 'complete' | 'retry';
  key: string;
  userId: string;
  eventId: string;
  request?: Record<string, unknown>;
  /** The URL path the request was sent to, when it is not the event's one-step purchase. */
  path?: string;
  /** Which way it went: `gateway`, or `direct <replica id>` (faults scenario). */
  via?: string;
  /** 1 for the first send of a key, then 2, 3, … for its retries during the load (faults scenario). */
  attempt?: number;
  outcome?: 'ok' | 'fail' | 'info';
  status?: number;
  code?: string;
  orderId?: string;
  seatIds?: string[];
  replica?: string;
  at: number;
  /** When the answer arrived, in ms of CLOCK_MONOTONIC (process.hrtime; same clock in every process). */
  mono?: number;
  latencyMs?: number;
}

/** CLOCK_MONOTONIC in ms, the same in every process of this machine. */
export const monoMs = () => Math.round(Number(process.hrtime.bigint()) / 1e3) / 1e3;

/** Where a purchase is sent, and where its retries go. */
export const purchasePath = (line: Pick<HistoryLine, 'eventId' | 'path'>) =>
  line.path ?? `/api/v1/events/${line.eventId}/orders`;

/**
 * The history line by line (readline over a read stream), file after file: never the
 * whole file in memory, so a run of any length can be read back. Long runs use this;
 * `readHistory` is for the short scenarios that need every line at once.
 */
export async function* streamHistory(files: string[]): AsyncGenerator<HistoryLine> {
  for (const f of files) {
    if (!existsSync(f)) continue;
    const lines = createInterface({
      input: createReadStream(f, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const l of lines) if (l) yield JSON.parse(l) as HistoryLine;
  }
}

/**
 * `attemptsOf` for a stream: every answer as an attempt, and every invoke as a
 * `sentOnly` marker (the checker counts a key with nothing but markers as one
 * indeterminate attempt, as attemptsOf does), so no set of answered keys is kept here.
 */
export async function* streamAttempts(files: string[]): AsyncGenerator<Attempt & { sentOnly?: boolean }> {
  for await (const l of streamHistory(files)) {
    if (l.type === 'invoke') {
      yield { key: l.key, userId: l.userId, eventId: l.eventId, outcome: 'info', sentOnly: true };
      continue;
    }
    yield {
      key: l.key,
      userId: l.userId,
      eventId: l.eventId,
      outcome: l.outcome ?? 'info',
      orderId: l.orderId,
      seatIds: l.seatIds,
      code: l.code,
    };
  }
}

/**
 * `undecided` for a stream: an invoke opens its key, a definite answer closes it. An
 * invoke precedes its answers in a generator's file and the retries' file is read last,
 * so only the open requests are held (in flight at the end, or indeterminate). For
 * histories where a key is sent again after a definite answer, use `undecided`.
 */
export async function undecidedStreamed(files: string[]): Promise<HistoryLine[]> {
  const open = new Map<string, HistoryLine>();
  for await (const l of streamHistory(files)) {
    if (l.type === 'invoke') {
      if (!open.has(l.key)) open.set(l.key, l);
    } else if (l.outcome !== 'info') open.delete(l.key);
  }
  return [...open.values()];
}

export function readHistory(files: string[]): HistoryLine[] {
  return files
    .filter((f) => existsSync(f))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as HistoryLine),
    );
}

/** One attempt per answer, plus one indeterminate attempt per request that never got one. */
export function attemptsOf(lines: HistoryLine[]): Attempt[] {
  const answered = new Set<string>();
  const attempts: Attempt[] = [];
  for (const l of lines) {
    if (l.type === 'invoke') continue;
    answered.add(l.key);
    attempts.push({
      key: l.key,
      userId: l.userId,
      eventId: l.eventId,
      outcome: l.outcome ?? 'info',
      orderId: l.orderId,
      seatIds: l.seatIds,
      code: l.code,
    });
  }
  for (const l of lines) {
    if (l.type === 'invoke' && !answered.has(l.key)) {
      attempts.push({ key: l.key, userId: l.userId, eventId: l.eventId, outcome: 'info' });
    }
  }
  return attempts;
}

/** Requests whose every answer so far was indeterminate: the ones to retry with their key. */
export function undecided(lines: HistoryLine[]): HistoryLine[] {
  const decided = new Set(lines.filter((l) => l.type !== 'invoke' && l.outcome !== 'info').map((l) => l.key));
  const seen = new Set<string>();
  return lines.filter((l) => {
    if (l.type !== 'invoke' || decided.has(l.key) || seen.has(l.key)) return false;
    seen.add(l.key);
    return true;
  });
}
