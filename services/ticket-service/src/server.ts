// Entry point of one replica: build, listen, and on SIGTERM stop accepting,
// let in-flight requests finish, then close the clients (onClose hooks).
import closeWithGrace from 'close-with-grace';
import Fastify from 'fastify';
import app from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { logDestination, serverOptions } from './server-options.ts';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const server = Fastify(serverOptions(config, logDestination(config)));
  await server.register(app, { config });

  closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
    if (err) server.log.error({ err }, 'shutting down after an error');
    else server.log.info({ signal }, 'shutting down: draining in-flight requests');
    await server.close();
  });

  // Node's default accept backlog (511) overflows when a surge opens hundreds of
  // gateway connections at once; the kernel then drops SYNs, and clients wait out
  // 1 s and 3 s retransmissions. (The kernel caps it at net.core.somaxconn.)
  await server.listen({ host: config.host, port: config.port, backlog: 4096 });
}

await main();
