// What a fault is to the faults scenario: its settings, what it gets to work with,
// what it reports (the injection), and what the fault kinds share: naming a duration,
// finding the replica that serves the event, and the start of an injection's record.
import type pg from 'pg';
import type { Api } from '../target.ts';
import { liveReplicas, type Replica } from './cluster.ts';

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
  /** Load after the fault ended, when the fault asks for no longer (Injection.pending). */
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
  setup?(ctx: Omit<FaultContext, 'eventId' | 'eventReplica'>): Promise<PhaseSetup>;
  inject(ctx: FaultContext, setup?: PhaseSetup): Promise<Injection>;
}

export const secondsText = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** An injection's record as it begins: nothing measured or failed yet. */
export function beginInjection(
  target: string,
  startedAt: number,
  notes: string[],
  measures: Injection['measures'] = {},
): Injection {
  return { target, startedAt, endedAt: startedAt, notes, measures, failures: [] };
}

/** The replica the gateway sends the event to, else the first live one; the notes begin with the choice. */
export function eventTarget(ctx: FaultContext): { replica: Replica; notes: string[] } {
  const live = liveReplicas(ctx.stateFile);
  const seen = ctx.eventReplica();
  const found = live.find((r) => r.id === seen);
  if (found) return { replica: found, notes: [] };
  const first = live[0];
  if (!first) throw new Error('no live replica to inject the fault into');
  return {
    replica: first,
    notes: [`the buyers had not yet seen which replica serves the event; took ${first.id}`],
  };
}
