// A generator's connections, opened before the clock starts.
//
// autocannon opens its connections when it starts and writes each connection's first
// request at once, so the first requests of a run wait for TCP and TLS handshakes
// made all at once by every generator, on the same cores as the cluster. A sale of
// 2,000 seats lasts well under a second here, and those handshakes took ~40 ms of
// it: time the measuring tool spends on itself, which the serial-loop reference (its
// connections open before its timer) never pays. Buyers at an on-sale moment have the
// event page open; their connections exist already.
//
// So a generator opens its connections first and hands them to autocannon as it
// asks for connections: autocannon calls `tls.connect` / `net.connect` (the module
// objects' properties, at call time), which `handOut` answers with the open sockets
// until none is left, then with real connects again (a reconnect after a reset).
import net from 'node:net';
import tls from 'node:tls';

const OPEN_TIMEOUT_MS = 10_000;

/** Opens `count` connections to `baseUrl` (TLS for https, with `ca` trusted as autocannon would). */
export async function openConnections(
  baseUrl: string,
  ca: string | undefined,
  count: number,
): Promise<net.Socket[]> {
  const url = new URL(baseUrl);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const host = url.hostname;
  const one = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const socket = secure
        ? tls.connect({
            port,
            host,
            ca,
            // As autocannon connects: the certificate is not checked, the name is sent.
            rejectUnauthorized: false,
            ...(net.isIP(host) ? {} : { servername: host }),
          })
        : net.connect(port, host);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${url.host} within ${OPEN_TIMEOUT_MS} ms`));
      }, OPEN_TIMEOUT_MS);
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      socket.once('error', onError);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        // An open connection that fails while it waits is autocannon's to reconnect;
        // until it is handed out, the error must not end the process.
        socket.on('error', () => {});
        resolve(socket);
      });
    });
  const settled = await Promise.allSettled(Array.from({ length: count }, one));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const s of settled) if (s.status === 'fulfilled') s.value.destroy();
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<net.Socket>).value);
}

/**
 * The next `tls.connect` / `net.connect` calls (of the matching kind) get `sockets`,
 * in order; once they are used up the real functions are back.
 */
export function handOut(sockets: net.Socket[]): void {
  const pool = [...sockets];
  const originalTls = tls.connect;
  const originalNet = net.connect;
  const restore = () => {
    tls.connect = originalTls;
    net.connect = originalNet;
  };
  const next = (wanted: 'tls' | 'net') => {
    const socket = pool[0];
    if (!socket || socket instanceof tls.TLSSocket !== (wanted === 'tls')) return undefined;
    pool.shift();
    if (pool.length === 0) restore();
    return socket;
  };
  // (Overloaded functions: the arguments are passed on as they came.)
  tls.connect = ((...args: unknown[]) =>
    next('tls') ?? Reflect.apply(originalTls, tls, args)) as typeof tls.connect;
  net.connect = ((...args: unknown[]) =>
    next('net') ?? Reflect.apply(originalNet, net, args)) as typeof net.connect;
  if (pool.length === 0) restore();
}
