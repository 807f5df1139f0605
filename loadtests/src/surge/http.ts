// The surge scenario's requests: one keep-alive pool to the gateway and a bound on
// every exchange (a wait for a pooled connection included), so that a request
// without an answer is indeterminate (status 0) rather than a hang.
import { Agent as HttpAgent } from 'node:http';
import { Agent } from 'node:https';
import { type Answer as ExchangeAnswer, exchange } from '../exchange.ts';

export interface Answer extends ExchangeAnswer {
  latencyMs: number;
}

export type Send = (
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  headers: Record<string, string>,
) => Promise<Answer>;

export function sender(
  baseUrl: string,
  ca: string | undefined,
  sockets: number,
  timeoutMs: number,
): { send: Send; close(): void } {
  const tls = new URL(baseUrl).protocol === 'https:';
  const agent = tls
    ? new Agent({ ca, keepAlive: true, maxSockets: sockets })
    : new HttpAgent({ keepAlive: true, maxSockets: sockets });
  const send: Send = async (method, path, body, headers) => {
    const started = performance.now();
    const answer = await exchange(
      new URL(path, baseUrl),
      {
        method,
        agent,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        payload: body === undefined ? undefined : JSON.stringify(body),
      },
      timeoutMs,
    );
    return { ...answer, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
  };
  return { send, close: () => agent.destroy() };
}

/** Milliseconds to wait before sending again: Retry-After when given (at most 2 s), else back-off. */
export function backoffMs(attempt: number, a: Answer): number {
  const retryAfter = Number(a.headers['retry-after']);
  const base =
    Number.isFinite(retryAfter) && retryAfter > 0
      ? Math.min(retryAfter * 1000, 2000)
      : Math.min(100 * 2 ** (attempt - 1), 1000);
  return base * (0.5 + Math.random());
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
