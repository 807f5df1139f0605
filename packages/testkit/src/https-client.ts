// A small HTTPS client that trusts exactly the cluster's certificate (no
// "insecure" flag): a request succeeds only if the gateway's TLS is right.
import { Agent, request } from 'node:https';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

type Options = { body?: unknown; headers?: Record<string, string> };

export function httpsClient(baseUrl: string, ca: string) {
  const agent = new Agent({ ca, keepAlive: true, maxSockets: 64 });
  const stats = { retriedOnReusedSocket: 0 };

  const once = (method: string, path: string, opts: Options) =>
    new Promise<Answer>((resolve, reject) => {
      const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const req = request(
        new URL(path, baseUrl),
        {
          method,
          agent,
          headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers },
          timeout: 60_000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (err: NodeJS.ErrnoException) => {
        const early = req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up');
        reject(Object.assign(err, { reusedSocket: early }));
      });
      req.end(payload);
    });

  // A request that dies on a reused keep-alive connection before any answer
  // never reached the server: the server closed the idle connection as we sent
  // it (nginx does so on every graceful reload). Like browsers and undici, such
  // a request is sent again; purchases carry an Idempotency-Key, so it is safe.
  const call = async (method: string, path: string, opts: Options = {}): Promise<Answer> => {
    // Each retry uses up one stale pooled connection, so there may be a few.
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(method, path, opts);
      } catch (err) {
        if (!(err as { reusedSocket?: boolean }).reusedSocket || attempt >= 10) throw err;
        stats.retriedOnReusedSocket++;
      }
    }
  };

  return { call, stats, close: () => agent.destroy() };
}
