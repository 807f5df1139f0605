// A certificate and key for a gateway under test, made by the gateway image's own
// entrypoint step (gateway/container/40-tickets-tls.sh), so that tests run it as the image does.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), '../../../gateway/container/40-tickets-tls.sh');

/** Makes tls.crt and tls.key in `dir` with the gateway image's own entrypoint step. */
export function selfSignedPair(dir: string, env: Record<string, string> = {}) {
  mkdirSync(dir, { recursive: true });
  return spawnSync('sh', [script], {
    encoding: 'utf8',
    env: { ...process.env, TICKETS_TLS_DIR: dir, ...env },
  });
}
