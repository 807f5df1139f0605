import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { isRoot, postgresBinDir } from './debian.ts';
import { pollUntil, processAlive, waitForExitSync } from './process.ts';

export interface PostgresOptions {
  /** Cluster directory; created and initialised when it holds no cluster yet, reused otherwise. */
  dataDir: string;
  port: number;
  /** false trades crash safety for speed (tests): fsync, synchronous_commit, full_page_writes off. */
  fsync?: boolean;
  /** Database created when missing; `tickets` by default. */
  database?: string;
}

export interface PostgresHandle {
  url: string;
  port: number;
  /** The postmaster's pid. */
  pid: number;
  dataDir: string;
  logFile: string;
  /** pg_ctl stop -m fast, resolving once the postmaster has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** The same, blocking; for signal and exit handlers where the event loop will not run again. */
  stopSync(): void;
}

interface Owner {
  uid: number;
  gid: number;
}

const CONFIG_FILE = 'tickets.conf';
const START_TIMEOUT_SECONDS = 60;

export async function startPostgres(options: PostgresOptions): Promise<PostgresHandle> {
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'tickets';
  const bin = postgresBinDir();
  // PostgreSQL refuses to run as root, so root runs it as the `postgres` user the Debian package creates.
  const owner = isRoot() ? postgresOwner() : undefined;
  const asOwner = (program: string, args: string[]) => ownerCommand(owner, join(bin, program), args);

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (owner) await chown(dataDir, owner.uid, owner.gid);
  await chmod(dataDir, 0o700);
  await assertReachable(dataDir, owner);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initCluster(dataDir, owner, asOwner);
  await writeOwned(join(dataDir, CONFIG_FILE), settings(options), owner);

  const logFile = join(dataDir, 'postgres.log');
  const pgCtl = (...args: string[]) =>
    asOwner('pg_ctl', ['-D', dataDir, '-t', String(START_TIMEOUT_SECONDS), ...args]);
  try {
    await run(pgCtl('-l', logFile, '-w', 'start'));
  } catch (error) {
    throw new Error(
      `PostgreSQL did not start on port ${options.port}: ${(error as Error).message}\n${logTail(logFile)}`,
    );
  }
  const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);

  const running = () => existsSync(join(dataDir, 'postmaster.pid')) || processAlive(pid);
  const stop = async () => {
    if (existsSync(join(dataDir, 'postmaster.pid'))) await run(pgCtl('-m', 'fast', '-w', 'stop'));
    // pg_ctl returns once the pid file is gone, a moment before the process itself exits.
    await pollUntil(() => !processAlive(pid), `PostgreSQL (pid ${pid}) to exit`);
  };
  const stopSync = () => {
    if (!running()) return;
    const command = pgCtl('-m', 'fast', '-w', 'stop');
    spawnSync(command.file, command.args, { stdio: 'ignore', cwd: '/' });
    waitForExitSync(pid);
  };

  try {
    await ensureDatabase(options.port, database);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  const url = `postgresql://postgres@127.0.0.1:${options.port}/${database}`;
  return { url, port: options.port, pid, dataDir, logFile, stop, stopSync };
}

function settings({ port, fsync = true }: PostgresOptions): string {
  const durable = fsync ? 'on' : 'off';
  return [
    '# Written by infra/lib/postgres.ts on every start; edits are overwritten.',
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    // No unix socket: nothing collides with another cluster's /var/run/postgresql/.s.PGSQL.<port>.
    "unix_socket_directories = ''",
    'max_connections = 200',
    `fsync = ${durable}`,
    `synchronous_commit = ${durable}`,
    `full_page_writes = ${durable}`,
    '',
  ].join('\n');
}

async function initCluster(
  dataDir: string,
  owner: Owner | undefined,
  asOwner: CommandFactory,
): Promise<void> {
  await run(asOwner('initdb', ['-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--no-locale', '-A', 'trust']));
  const hba =
    '# Written by infra/lib/postgres.ts: trust, but only over loopback TCP.\nhost all all 127.0.0.1/32 trust\n';
  await writeOwned(join(dataDir, 'pg_hba.conf'), hba, owner);
  const mainConfig = join(dataDir, 'postgresql.conf');
  if (!(await readFile(mainConfig, 'utf8')).includes(CONFIG_FILE)) {
    await appendFile(mainConfig, `\ninclude_if_exists = '${CONFIG_FILE}'\n`);
  }
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

async function assertReachable(dataDir: string, owner: Owner | undefined): Promise<void> {
  if (!owner) return;
  const probe = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dataDir], { cwd: '/' });
  if (probe.status !== 0) {
    throw new Error(
      `The postgres OS user cannot write ${dataDir}; make every parent directory searchable by it (chmod o+x).`,
    );
  }
}

function postgresOwner(): Owner {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      'There is no "postgres" OS user to run PostgreSQL as; install the postgresql Debian package.',
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function writeOwned(file: string, text: string, owner: Owner | undefined): Promise<void> {
  await writeFile(file, text, { mode: 0o600 });
  if (owner) await chown(file, owner.uid, owner.gid);
}

interface Command {
  file: string;
  args: string[];
}
type CommandFactory = (program: string, args: string[]) => Command;

function ownerCommand(owner: Owner | undefined, program: string, args: string[]): Command {
  return owner
    ? { file: 'runuser', args: ['-u', 'postgres', '--', program, ...args] }
    : { file: program, args };
}

function run({ file, args }: Command): Promise<string> {
  return new Promise((done, fail) => {
    // cwd "/" because the postgres user may not be allowed into the caller's directory.
    execFile(file, args, { cwd: '/', encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${[file, ...args].join(' ')} failed: ${stderr.trim() || error.message}`));
      else done(stdout);
    });
  });
}

function logTail(logFile: string): string {
  try {
    return readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no server log)';
  }
}

/** Stops the cluster in `dataDir` (pg_ctl stop -m fast) from any process; a no-op when it is not running. */
export async function stopPostgresDir(dataDir: string): Promise<void> {
  const pidFile = join(resolve(dataDir), 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  const owner = isRoot() ? postgresOwner() : undefined;
  const command = ownerCommand(owner, join(postgresBinDir(), 'pg_ctl'), [
    '-D',
    resolve(dataDir),
    '-m',
    'fast',
    '-w',
    'stop',
  ]);
  await run(command).catch(() => undefined);
  if (pid > 0) await pollUntil(() => !processAlive(pid), `PostgreSQL (pid ${pid}) to exit`);
}
