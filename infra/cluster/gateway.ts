// The cluster's nginx: rendered into the run directory, serving the web client
// (or a placeholder until it is built) and routing /api/ to the replicas.
import { existsSync } from 'node:fs';
import { chmod, cp, rm } from 'node:fs/promises';
import { type Upstream, writeGatewayConfig } from '../lib/nginx.ts';
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

export async function configureGateway(opts: {
  httpsPort: number;
  httpPort: number;
  tls: TlsFiles;
  upstreams: Upstream[];
}): Promise<void> {
  await writeGatewayConfig({
    runDir: paths.gateway(),
    httpsPort: opts.httpsPort,
    httpPort: opts.httpPort,
    certFile: opts.tls.certFile,
    keyFile: opts.tls.keyFile,
    webRoot: await publishWebRoot(),
    upstreams: opts.upstreams,
  });
}

export const upstreamsOf = (replicas: { port: number }[]): Upstream[] =>
  replicas.map((r) => ({ host: '127.0.0.1', port: r.port }));
