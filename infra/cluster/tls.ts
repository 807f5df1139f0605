// The gateway's certificate: TICKETS_TLS_CERT / TICKETS_TLS_KEY when given,
// otherwise a self-signed one for localhost made once with openssl.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDebianPackages } from '../lib/debian.ts';
import { paths } from './paths.ts';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  selfSigned: boolean;
}

export async function ensureTls(env: NodeJS.ProcessEnv = process.env): Promise<TlsFiles> {
  if (env.TICKETS_TLS_CERT && env.TICKETS_TLS_KEY) {
    return { certFile: env.TICKETS_TLS_CERT, keyFile: env.TICKETS_TLS_KEY, selfSigned: false };
  }
  const dir = paths.tls();
  const certFile = join(dir, 'gateway.crt');
  const keyFile = join(dir, 'gateway.key');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    ensureDebianPackages([{ binary: 'openssl', pkg: 'openssl' }]);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '825',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  }
  return { certFile, keyFile, selfSigned: true };
}
