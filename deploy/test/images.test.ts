import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GATEWAY_LIMITS, gatewayLimits } from '@tickets/infra/gateway-limits';
import { selfSignedPair } from '@tickets/testkit/gateway-tls';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { contextFiles, contextFilter, copies, dockerfileEnv, parseDockerfile } from './support/docker.ts';
import { containerTemplates, entrypointEnv, withTempDir } from './support/nginx.ts';
import { fromRoot } from './support/paths.ts';

const dockerfiles = ['Dockerfile', 'gateway/Dockerfile'];

const version = (text: string) => text.split('.').map(Number);
const atLeast = (actual: string, wanted: string) => {
  const [a, w] = [version(actual), version(wanted)];
  for (let i = 0; i < w.length; i++) {
    if ((a[i] ?? 0) !== (w[i] ?? 0)) return (a[i] ?? 0) > (w[i] ?? 0);
  }
  return true;
};

describe('container images', () => {
  it.each(dockerfiles)('when %s is linted (dockerfile-utils), then it has no problem', (file) => {
    const problems = validate(readFileSync(fromRoot(file), 'utf8')).map(
      (d) => `${file}:${d.range.start.line + 1} ${d.message}`,
    );
    expect(problems).toEqual([]);
  });

  it.each(dockerfiles)(
    'when %s is built, then every file it copies from the context is there and not ignored',
    (file) => {
      const ig = contextFilter();
      const sources = copies(fromRoot(file))
        .filter((c) => c.from === null)
        .flatMap((c) => c.sources);
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) {
        if (source === '.') continue;
        expect(existsSync(fromRoot(source)), source).toBe(true);
        expect(ig.ignores(source.replace(/\/$/, '')), `${source} is excluded by .dockerignore`).toBe(false);
      }
    },
  );

  it('when the build context is assembled, then it holds the sources and migrations but no dependencies, secrets or generated code', () => {
    const files = contextFiles();
    expect(files).toContain('services/ticket-service/src/server.ts');
    expect(files).toContain('package-lock.json');
    expect(files).toContain('gateway/container/nginx.conf');
    expect(files.some((f) => f.startsWith('prisma/migrations/') && f.endsWith('/migration.sql'))).toBe(true);
    expect(
      files.filter((f) => /(^|\/)(node_modules|dist|generated)\/|(^|\/)\.env$|\.(pem|key)$/.test(f)),
    ).toEqual([]);
    const ig = contextFilter();
    for (const path of [
      'node_modules/fastify/package.json',
      '.git/HEAD',
      '.env',
      'services/web/dist/index.html',
    ]) {
      expect(ig.ignores(path), path).toBe(true);
    }
  });

  it('when a workspace is built in an image, then every tsconfig it extends is in the build context', () => {
    const files = new Set(contextFiles());
    const tsconfigs = [...files].filter((f) => /^services\/[^/]+\/tsconfig[^/]*\.json$/.test(f));
    expect(tsconfigs.length).toBeGreaterThan(0);
    for (const file of tsconfigs) {
      const { extends: base } = JSON.parse(readFileSync(fromRoot(file), 'utf8')) as { extends?: string };
      if (base?.startsWith('.'))
        expect(files.has(join(dirname(file), base)), `${file} extends ${base}`).toBe(true);
    }
  });

  it('when the service image is read, then it is Node 24 slim, runs the TypeScript entry point as a non-root user and checks /healthz', () => {
    const { stages } = parseDockerfile(fromRoot('Dockerfile'));
    expect(stages.map((s) => s.image)).toContain('node:24-slim');
    const final = stages.at(-1);
    const lines = (final?.instructions ?? []).map((i) => `${i.getKeyword()} ${i.getArgumentsContent()}`);
    expect(lines).toContain('USER 1000:1000');
    expect(lines.find((l) => l.startsWith('HEALTHCHECK'))).toMatch(/\/healthz/);
    const cmd = lines.find((l) => l.startsWith('CMD')) ?? '';
    expect(cmd).toBe('CMD ["node", "services/ticket-service/src/server.ts"]');
    expect(existsSync(fromRoot('services/ticket-service/src/server.ts'))).toBe(true);
    expect(existsSync(fromRoot('services/ticket-service/src/cli.ts'))).toBe(true);
    expect(dockerfileEnv(fromRoot('Dockerfile'))).toMatchObject({ HOST: '0.0.0.0', NODE_ENV: 'production' });
    // The Prisma client is generated in the image, and production dependencies only are installed.
    expect(parseDockerfile(fromRoot('Dockerfile')).text).toMatch(
      /npm run generate -w services\/ticket-service/,
    );
    expect(parseDockerfile(fromRoot('Dockerfile')).text).toMatch(/npm install --omit=dev/);
  });

  it('when the gateway image is read, then it is the official nginx >= 1.27.3 (resolve) with the web client baked in', () => {
    const { stages, args } = parseDockerfile(fromRoot('gateway/Dockerfile'));
    const final = stages.at(-1)?.image ?? '';
    expect(final).toMatch(/^nginx:[\d.]+-alpine$/);
    expect(atLeast(args.NGINX_VERSION ?? '0', '1.27.3'), `NGINX_VERSION ${args.NGINX_VERSION}`).toBe(true);
    const copied = copies(fromRoot('gateway/Dockerfile'));
    expect(copied).toContainEqual(
      expect.objectContaining({ from: 'web', destination: '/usr/share/nginx/html' }),
    );
    expect(parseDockerfile(fromRoot('gateway/Dockerfile')).text).toMatch(/npm run build -w services\/web/);
    expect(
      existsSync(fromRoot('services/web/package.json')) || existsSync(fromRoot('gateway/static/index.html')),
    ).toBe(true);
  });

  it("when the gateway image's envsubst filter is read, then it lets exactly the templates' variables through", () => {
    const env = dockerfileEnv(fromRoot('gateway/Dockerfile'));
    const filter = new RegExp(env.NGINX_ENVSUBST_FILTER as string);
    const used = Object.values(containerTemplates()).flatMap((template) =>
      [...template.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] as string),
    );
    expect(used).toContain('TICKETS_GATEWAY_API_RATE');
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(filter.test(name), name).toBe(true);
    for (const name of ['PATH', 'HOSTNAME', 'host', 'request_uri', 'NGINX_VERSION']) {
      expect(filter.test(name), name).toBe(false);
    }
    expect(env.NGINX_ENTRYPOINT_LOCAL_RESOLVERS).toBe('1');
  });

  describe('gateway rate-limit step (16-tickets-rate-limits.envsh)', () => {
    it('when the image is read, then the step is copied executable (the entrypoint skips it otherwise), before the templates are rendered', () => {
      const step = copies(fromRoot('gateway/Dockerfile')).find((c) => c.sources[0]?.endsWith('.envsh'));
      expect(step?.destination).toBe('/docker-entrypoint.d/16-tickets-rate-limits.envsh');
      expect(step?.flags).toContain('chmod=0755');
      // The image renders templates in 20-envsubst-on-templates.sh: this step sorts before it.
      expect('16-tickets-rate-limits.envsh' < '20-envsubst-on-templates.sh').toBe(true);
      expect(dockerfileEnv(fromRoot('gateway/Dockerfile')).TICKETS_RATE_LIMIT_FACTOR).toBe('1');
    });

    it.each(['1', '1000', '0.1', '2.5', '0.0001'])(
      'when TICKETS_RATE_LIMIT_FACTOR is %s, then it exports the numbers the local cluster renders with it',
      (factor) => {
        const env = entrypointEnv({ TICKETS_RATE_LIMIT_FACTOR: factor });
        const expected = gatewayLimits(Number(factor));
        for (const [name, limit] of Object.entries(GATEWAY_LIMITS)) {
          expect(env[limit.env], name).toBe(String(expected[name as keyof typeof expected]));
        }
      },
    );

    it.each(['0', '-1', 'lots', '1e3'])(
      'when TICKETS_RATE_LIMIT_FACTOR is %s, then the container refuses to start, naming it',
      (factor) => {
        expect(() => entrypointEnv({ TICKETS_RATE_LIMIT_FACTOR: factor })).toThrow(
          /TICKETS_RATE_LIMIT_FACTOR must be a positive number/,
        );
      },
    );
  });

  describe('gateway certificate step (40-tickets-tls.sh)', () => {
    it('when no certificate is mounted, then it makes a self-signed pair that openssl reads', () => {
      withTempDir((dir) => {
        const run = selfSignedPair(dir, { TICKETS_TLS_HOSTNAME: 'tickets.test' });
        expect(run.status, run.stderr).toBe(0);
        const cert = spawnSync(
          'openssl',
          ['x509', '-in', join(dir, 'tls.crt'), '-noout', '-subject', '-ext', 'subjectAltName'],
          {
            encoding: 'utf8',
          },
        );
        expect(cert.stdout).toMatch(/CN\s*=\s*tickets\.test/);
        expect(cert.stdout).toMatch(/DNS:tickets\.test/);
      });
    });

    it('when a certificate is mounted, then it is left alone', () => {
      withTempDir((dir) => {
        writeFileSync(join(dir, 'tls.crt'), 'mounted');
        writeFileSync(join(dir, 'tls.key'), 'mounted');
        expect(selfSignedPair(dir).status).toBe(0);
        expect(readFileSync(join(dir, 'tls.crt'), 'utf8')).toBe('mounted');
      });
    });

    it('when self-signed certificates are forbidden and none is mounted, then the container refuses to start', () => {
      withTempDir((dir) => {
        const run = selfSignedPair(dir, { TICKETS_SELF_SIGNED_TLS: '0' });
        expect(run.status).toBe(1);
        expect(run.stderr).toMatch(/no certificate/);
        expect(existsSync(join(dir, 'tls.crt'))).toBe(false);
      });
    });
  });
});
