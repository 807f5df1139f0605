// One HTTP exchange of a load-test client, bounded as a whole (a wait for a pooled
// connection included): a request without an answer within `timeoutMs` is
// indeterminate (status 0, error TIMEOUT) rather than a hang, and so is one whose
// connection failed (status 0 and the error code). Used by the faults buyers
// (buyers.ts) and the surge scenario (surge/http.ts).
import { type Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes
  json: any;
  headers: IncomingHttpHeaders;
  /** For status 0: what happened instead of an answer (TIMEOUT, ECONNREFUSED, ECONNRESET, …). */
  error?: string;
}

export function exchange(
  url: URL,
  request: {
    method: string;
    agent: HttpAgent | HttpsAgent;
    headers: Record<string, string>;
    payload?: string;
  },
  timeoutMs: number,
): Promise<Answer> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (answer: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const failed = (err: NodeJS.ErrnoException) =>
      finish({ status: 0, json: undefined, headers: {}, error: err.code ?? err.message });
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      { method: request.method, agent: request.agent, headers: request.headers },
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
        res.on('error', failed);
      },
    );
    const timer = setTimeout(() => {
      finish({ status: 0, json: undefined, headers: {}, error: 'TIMEOUT' });
      req.destroy();
    }, timeoutMs);
    req.on('error', failed);
    req.end(request.payload);
  });
}
