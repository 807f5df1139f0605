// The cluster's nginx: rendered into the run directory, serving the web client
// (or a placeholder until it is built) and routing /api/ to the replicas.
import { existsSync } from 'node:fs';
import { chmod, cp, rm } from 'node:fs/promises';
import { reloadGateway, type Upstream, writeGatewayConfig, writeUpstreams } from '../lib/nginx.ts';
import { paths, staticFallback, webBuild } from './paths.ts';
import type { TlsFiles } from './tls.ts';

/** Copies the web client into the run directory, where nginx's workers may read it. */
export async function publishWebRoot(): Promise<string> {
  const source = existsSync(webBuild) ? webBuild : staticFallback;
  await rm(paths.www(), { recursive: true, force: true });
  await cp(source, paths.www(), { recursive: true });
  await chmod(paths.www(), 0o755);
  return paths.www();
}

/**
 * TICKETS_SEATMAP_CACHE_SECONDS: how long the gateway serves a seat map from its
 * micro-cache (README, "Seat maps at the gateway"); whole seconds, at least 1.
 */
export function seatMapCacheSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TICKETS_SEATMAP_CACHE_SECONDS?.trim() || '1';
  if (!/^[1-9]\d*$/.test(raw)) {
    throw new Error(
      `TICKETS_SEATMAP_CACHE_SECONDS must be a whole number of seconds, at least 1, not "${raw}"`,
    );
  }
  return Number(raw);
}

export async function configureGateway(opts: {
  httpsPort: number;
  httpPort: number;
  tls: TlsFiles;
  upstreams: Upstream[];
  seatMapCacheSeconds: number;
  rateLimitFactor: number;
}): Promise<void> {
  await writeGatewayConfig({
    runDir: paths.gateway(),
    httpsPort: opts.httpsPort,
    httpPort: opts.httpPort,
    certFile: opts.tls.certFile,
    keyFile: opts.tls.keyFile,
    webRoot: await publishWebRoot(),
    upstreams: opts.upstreams,
    seatMapCacheSeconds: opts.seatMapCacheSeconds,
    rateLimitFactor: opts.rateLimitFactor,
  });
}

export const upstreamsOf = (replicas: { port: number }[]): Upstream[] =>
  replicas.map((r) => ({ host: '127.0.0.1', port: r.port }));

/**
 * Points the running gateway at exactly these replicas: rewrites the upstream list and
 * reloads nginx gracefully, resolving once no old worker is left (so nothing goes to a
 * replica that was left out). Used by `scale` and by the supervisor after a restart;
 * the reload also makes nginx forget the failures it saw on a restarted replica.
 */
export async function routeGatewayTo(replicas: { port: number }[]): Promise<void> {
  await writeUpstreams(paths.gateway(), upstreamsOf(replicas));
  await reloadGateway(paths.gateway());
}
