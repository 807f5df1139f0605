// The surge scenario's requests: one keep-alive pool to the gateway and a bound on
// every exchange (a wait for a pooled connection included), so that a request
// without an answer is indeterminate (status 0) rather than a hang.
import type { IncomingHttpHeaders } from 'node:http';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent, request } from 'node:https';

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes
  json: any;
  headers: IncomingHttpHeaders;
  /** For status 0: what happened instead of an answer (TIMEOUT, ECONNRESET, …). */
  error?: string;
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
  const send: Send = (method, path, body, headers) =>
    new Promise((resolve) => {
      const started = performance.now();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      let done = false;
      const finish = (a: Omit<Answer, 'latencyMs'>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ ...a, latencyMs: Math.round((performance.now() - started) * 100) / 100 });
      };
      const req = (tls ? request : httpRequest)(
        new URL(path, baseUrl),
        {
          method,
          agent,
          headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => {
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = text;
            }
            finish({ status: res.statusCode ?? 0, json, headers: res.headers });
          });
          res.on('error', (err: NodeJS.ErrnoException) =>
            finish({ status: 0, json: undefined, headers: {}, error: err.code ?? err.message }),
          );
        },
      );
      const timer = setTimeout(() => {
        finish({ status: 0, json: undefined, headers: {}, error: 'TIMEOUT' });
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish({ status: 0, json: undefined, headers: {}, error: err.code ?? err.message }),
      );
      req.end(payload);
    });
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
