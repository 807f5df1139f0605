// The supervisor's side of its socket (supervisor-client.ts is the commands' side):
// one request a line of JSON, one reply, then the connection ends. Only the socket's
// owner may connect, since a request carries a whole environment.
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { SupervisorReply, SupervisorRequest } from './supervisor-client.ts';

/** Listens on `socket` (replacing a stale one) until the server is closed. */
export async function serveRequests(
  socket: string,
  answer: (request: SupervisorRequest) => SupervisorReply,
): Promise<Server> {
  rmSync(socket, { force: true });
  const server = createServer((conn) => {
    let buffer = '';
    conn.setEncoding('utf8');
    conn.on('error', () => undefined);
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      const end = buffer.indexOf('\n');
      if (end < 0) return;
      let reply: SupervisorReply;
      try {
        reply = answer(JSON.parse(buffer.slice(0, end)) as SupervisorRequest);
      } catch (err) {
        reply = { error: (err as Error).message };
      }
      conn.end(`${JSON.stringify(reply)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  chmodSync(socket, 0o600);
  return server;
}
