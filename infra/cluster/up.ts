// `cluster up`: PostgreSQL, three Redis masters, migrations, the first admin, the
// supervisor, a demo event, N replicas and the TLS gateway, then the HTTPS URL.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { freePort } from '../lib/free-port.ts';
import { rateLimitFactor } from '../lib/gateway-limits.ts';
import { ensureNginx, startGateway, stopGateway } from '../lib/nginx.ts';
import { startPostgres } from '../lib/postgres.ts';
import { startRedis } from '../lib/redis.ts';
import { ensureDemoEvent } from './demo.ts';
import { configureGateway, seatMapCacheSeconds, upstreamsOf } from './gateway.ts';
import { cliEntry, paths, repoRoot, runDir } from './paths.ts';
import { nextReplicaIds, startReplica, stopReplica } from './replicas.ts';
import { loadSecrets } from './secrets.ts';
import { type ClusterState, readState, runningState, writeState } from './state.ts';
import { ensureSupervisor, runningSupervisor, startSupervisor, stopSupervisor } from './supervisor-client.ts';
import { ensureTls } from './tls.ts';

export interface UpOptions {
  replicas: number;
  httpsPort?: number;
  httpPort?: number;
}

const log = (msg: string) => console.log(`cluster: ${msg}`);

export async function up(options: UpOptions): Promise<ClusterState> {
  const running = runningState();
  if (running) {
    log(`already running at ${running.gatewayUrl} with ${running.replicas.length} replica(s)`);
    const factor = rateLimitFactor();
    if (process.env.TICKETS_RATE_LIMIT_FACTOR && factor !== (running.rateLimitFactor ?? 1)) {
      log(
        `it runs with TICKETS_RATE_LIMIT_FACTOR=${running.rateLimitFactor ?? 1}, not ${factor}: \`down\`, then \`up\` again to change it`,
      );
    }
    // A cluster from before the supervisor existed, or whose supervisor was killed, gets one.
    await ensureSupervisor(running);
    return running;
  }
  await mkdir(runDir(), { recursive: true, mode: 0o755 });
  ensureNginx();
  // Ports are kept from the last run so that URLs stay the same.
  const previous = readState();
  const httpsPort =
    options.httpsPort ?? previous?.httpsPort ?? Number(process.env.TICKETS_HTTPS_PORT || 8443);
  const httpPort = options.httpPort ?? previous?.httpPort ?? Number(process.env.TICKETS_HTTP_PORT || 8080);
  const seatMapTtl = seatMapCacheSeconds();
  const factor = rateLimitFactor();

  // Whatever has started is stopped again if a later step fails.
  const undo: (() => Promise<void>)[] = [];
  try {
    return await bringUp(httpsPort, httpPort, options.replicas, seatMapTtl, factor, previous, undo);
  } catch (err) {
    log(`start failed; stopping what was started`);
    for (const stop of undo.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

async function bringUp(
  httpsPort: number,
  httpPort: number,
  replicaCount: number,
  seatMapTtl: number,
  factor: number,
  previous: ClusterState | undefined,
  undo: (() => Promise<void>)[],
): Promise<ClusterState> {
  const secrets = await loadSecrets();
  const tls = await ensureTls();
  const fsync = process.env.TICKETS_PG_FSYNC !== 'off';

  log('starting PostgreSQL');
  const postgres = await startPostgres({
    dataDir: paths.postgres(),
    port: previous?.postgres.port ?? (await freePort()),
    fsync,
  });
  undo.push(() => postgres.stop());
  log('starting three Redis masters (append-only)');
  const redis = [];
  for (let i = 1; i <= 3; i++) {
    const port = previous?.redis[i - 1]?.port ?? (await freePort());
    const server = await startRedis({ dir: paths.redis(i), port, appendOnly: true, detached: true });
    undo.push(() => server.stop());
    redis.push(server);
  }
  const redisUrls = redis.map((r) => r.url);

  log('applying migrations');
  const migrate = spawnSync(process.execPath, [cliEntry, 'migrate'], {
    cwd: repoRoot,
    env: { ...process.env, NODE_NO_WARNINGS: '1', DATABASE_URL: postgres.url },
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(`migrations failed:\n${migrate.stdout}${migrate.stderr}`);

  // The supervisor is the parent of every replica, and restarts those that exit.
  const startedAt = new Date().toISOString();
  await stopSupervisor(await runningSupervisor()); // one left over from a cluster that crashed
  const supervisorPid = await startSupervisor(startedAt);
  undo.push(() => stopSupervisor(supervisorPid));

  const env = {
    databaseUrl: postgres.url,
    redisUrls,
    jwtSecret: secrets.jwtSecret,
    adminEmail: secrets.adminEmail,
    adminPassword: secrets.adminPassword,
    rateLimitFactor: factor,
  };
  log(`starting ${replicaCount} replica(s)`);
  const replicas = await Promise.all(
    nextReplicaIds([], replicaCount).map(async (id) => {
      const replica = await startReplica(id, env);
      undo.push(() => stopReplica(replica));
      return replica;
    }),
  );

  const demo = await ensureDemoEvent(`http://127.0.0.1:${replicas[0]?.port}`, {
    email: secrets.adminEmail,
    password: secrets.adminPassword,
  });
  if (demo) log(`created the demo event "${demo.title}"`);

  log('starting the gateway');
  await configureGateway({
    httpsPort,
    httpPort,
    tls,
    upstreams: upstreamsOf(replicas),
    seatMapCacheSeconds: seatMapTtl,
    rateLimitFactor: factor,
  });
  const gatewayPid = await startGateway(paths.gateway());
  undo.push(() => stopGateway(paths.gateway()));

  const state: ClusterState = {
    gatewayUrl: `https://localhost:${httpsPort}`,
    databaseUrl: postgres.url,
    redisUrls,
    replicas,
    adminEmail: secrets.adminEmail,
    httpsPort,
    httpPort,
    postgres: { port: postgres.port, dataDir: postgres.dataDir },
    redis: redis.map((r) => ({ port: r.port, pid: r.pid, dir: r.dir })),
    gatewayPid,
    supervisorPid,
    startedAt,
    rateLimitFactor: factor,
  };
  await writeState(state);

  log(`ready: ${state.gatewayUrl}  (API ${state.gatewayUrl}/api/v1, docs ${state.gatewayUrl}/api/v1/docs)`);
  if (tls.selfSigned) log(`the certificate is self-signed: ${tls.certFile}`);
  // Load tests send everything from one address, which these limits are made to slow down.
  log(
    factor === 1
      ? 'rate limits at their production values; for load tests start with TICKETS_RATE_LIMIT_FACTOR=1000 npm run cluster -- up'
      : `rate limits of the replicas and the gateway multiplied by ${factor} (TICKETS_RATE_LIMIT_FACTOR)`,
  );
  log(
    secrets.generatedPassword
      ? `admin ${secrets.adminEmail} with the generated password ${secrets.adminPassword} (kept in ${paths.secrets()})`
      : `admin ${secrets.adminEmail} (password in ${paths.secrets()})`,
  );
  if (!existsSync(paths.state())) throw new Error('cluster state was not written');
  return state;
}
