// Helmet's security headers on every answer. The headers do not depend on the
// request (no CSP nonces: the API answers JSON only, and the gateway sets the web
// client's CSP and HSTS), so helmet's middleware runs once, at start-up, against a
// recorder, and each answer gets the recorded set: @fastify/helmet built helmet's
// middleware from its options again on every request (two hooks, one of them
// async, and a setHeader per header), which a surge's refusals paid each time.
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet's middleware sets for these options (it never reads the request). */
export function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failed: unknown;
  helmet(options)({} as never, recorder as never, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed;
  return headers;
}

export default fp(
  async (app) => {
    const headers = helmetHeaders({ contentSecurityPolicy: false, hsts: false });
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'security-headers' },
);
