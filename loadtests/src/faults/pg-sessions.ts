// A replica's PostgreSQL sessions as pg_stat_activity shows them, told apart by the
// local ports of its connections (the service sets no application_name).
import { connectionPorts } from './cluster.ts';
import type { FaultContext } from './fault-kind.ts';

const pgPort = (databaseUrl: string) => Number(new URL(databaseUrl).port || 5432);

export interface SessionState {
  state: string;
  query: string;
  xactMs: number | null;
}

/** PostgreSQL sessions of a process, as pg_stat_activity shows them now. */
export async function sessionsOf(ctx: FaultContext, pid: number): Promise<SessionState[]> {
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

export const inTransaction = (s: SessionState) => s.state.startsWith('idle in transaction');

export function describeSessions(sessions: SessionState[]): string {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${state}`).join(', ') || 'none';
  const tx = sessions.filter(inTransaction);
  return tx.length
    ? `${summary}; in a transaction for ${tx.map((s) => `${s.xactMs} ms after "${s.query}"`).join('; ')}`
    : summary;
}
