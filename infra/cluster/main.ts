// npm run cluster -- up [--replicas N] [--detach] [--https-port P] [--http-port P]
//                 | scale N | status | logs [replica] | down
import { parseArgs } from 'node:util';
import { down } from './down.ts';
import { type LockOptions, withClusterLock } from './lock.ts';
import { logs } from './logs.ts';
import { scale } from './scale.ts';
import { status } from './status.ts';
import { runSupervisor } from './supervisor.ts';
import { up } from './up.ts';

// A command waits its turn while another one, or the supervisor, changes the cluster.
const waiting: LockOptions = {
  onWait: (pid) => console.log(`cluster: waiting for pid ${pid} (another cluster command or the supervisor)`),
};

const USAGE =
  'usage: npm run cluster -- up [--replicas N] [--detach] [--https-port P] [--http-port P] | scale N | status | logs [replica] | down';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      replicas: { type: 'string' },
      detach: { type: 'boolean', default: false },
      'https-port': { type: 'string' },
      'http-port': { type: 'string' },
    },
  });
  const [command, arg] = positionals;
  const port = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  switch (command) {
    case 'up': {
      const replicas = Number(values.replicas ?? 3);
      if (!Number.isInteger(replicas) || replicas < 1)
        throw new Error('--replicas needs a number of at least 1');
      await withClusterLock(
        () => up({ replicas, httpsPort: port(values['https-port']), httpPort: port(values['http-port']) }),
        waiting,
      );
      if (!values.detach) await stayInForeground();
      return 0;
    }
    case 'scale':
      await withClusterLock(() => scale(Number(arg)), waiting);
      return 0;
    case 'status':
      return (await status()) ? 0 : 1;
    case 'logs':
      logs(arg);
      return 0;
    case 'down':
      await withClusterLock(down, waiting);
      return 0;
    case 'supervise': // internal: started by `up` (supervisor-client.ts)
      await runSupervisor(String(arg), Number(positionals[2]));
      return process.exit(0); // whatever still waits (a lock, a timer) is moot now
    default:
      console.error(USAGE);
      return 2;
  }
}

// Without --detach the command stays until Ctrl-C (or SIGTERM) and then stops everything.
function stayInForeground(): Promise<void> {
  console.log('cluster: running in the foreground; press Ctrl-C to stop everything');
  return new Promise((resolve) => {
    // Signal handlers alone do not keep Node running; this timer does.
    const keepAlive = setInterval(() => {}, 1 << 30);
    const stop = async () => {
      clearInterval(keepAlive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await withClusterLock(down, waiting).catch((err) => console.error(`cluster: ${err.message}`));
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    console.error(`cluster: ${err.message}`);
    process.exitCode = 1;
  },
);
