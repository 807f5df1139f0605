import { readFileSync } from 'node:fs';
import { GATEWAY_LIMITS, gatewayLimits } from '@tickets/infra/gateway-limits';
import { describe, expect, it } from 'vitest';
import { loadCompose, parseEnvFile } from './support/compose.ts';
import { dockerfileEnv } from './support/docker.ts';
import { render } from './support/kustomize.ts';
import {
  directives,
  downlevel,
  layOutContainer,
  nginxTest,
  nginxVersion,
  renderContainer,
  renderLocalTemplate,
  withTempDir,
} from './support/nginx.ts';
import { fromRoot } from './support/paths.ts';

const imageEnv = dockerfileEnv(fromRoot('gateway/Dockerfile'));
const filter = imageEnv.NGINX_ENVSUBST_FILTER as string;
const resolvers = { NGINX_LOCAL_RESOLVERS: '127.0.0.11' };

const composeEnv = () => {
  const env = parseEnvFile(readFileSync(fromRoot('.env.example'), 'utf8'));
  return loadCompose(fromRoot('docker-compose.yml'), env).services.gateway.environment as Record<
    string,
    string
  >;
};
const kubernetesEnv = (overlay: string) => {
  const cm = render(fromRoot('k8s/overlays', overlay)).find(
    (m) => m.kind === 'ConfigMap' && m.metadata.name === 'gateway-env',
  ) as unknown as { data: Record<string, string> };
  return cm.data;
};

// `${NAME}`, as the templates write an environment variable.
const ref = (name: string) => `\${${name}}`;

const containerConf = readFileSync(fromRoot('gateway/container/nginx.conf'), 'utf8');
const rateLimitsTemplate = readFileSync(
  fromRoot('gateway/container/templates/rate-limits.conf.template'),
  'utf8',
);
// The per-address limits in gateway/nginx.conf.template's directives: from the first map to the last line.
const RATE_LIMIT_BLOCK = /^map \$uri \$limit_api_address \{\n[\s\S]*?\nlimit_conn_log_level info;\n/m;
const upstreamTemplate = readFileSync(fromRoot('gateway/container/templates/upstream.conf.template'), 'utf8');

describe('gateway nginx configurations', () => {
  it.each([1, 1000, 0.01])(
    `when the local cluster template is rendered with rate-limit factor %s, then nginx ${nginxVersion()} accepts it (nginx -t)`,
    (factor) => {
      withTempDir((dir) => {
        const conf = renderLocalTemplate(dir, factor);
        const result = nginxTest(dir, conf);
        expect(result.output).toMatch(/test is successful/);
        expect(result.ok, result.output).toBe(true);
        const limits = gatewayLimits(factor);
        expect(directives(readFileSync(conf, 'utf8'))).toContain(
          `limit_req zone=api_per_address burst=${limits.apiBurst} nodelay;`,
        );
      });
    },
  );

  describe.each([
    ['Compose', composeEnv],
    ['Kubernetes local overlay', () => kubernetesEnv('local')],
    ['Kubernetes production overlay', () => kubernetesEnv('production')],
  ])('container configuration with the %s environment', (_name, env) => {
    it(`when rendered as the image's entrypoint does and down-levelled (resolve, http2 on), then nginx ${nginxVersion()} accepts it (nginx -t)`, () => {
      withTempDir((dir) => {
        const files = renderContainer({ ...imageEnv, ...env(), ...resolvers }, filter);
        const result = nginxTest(dir, layOutContainer(dir, files));
        expect(result.output).toMatch(/test is successful/);
        expect(result.ok, result.output).toBe(true);
      });
    });

    it('when rendered, then every environment reference is filled and no nginx $variable is touched', () => {
      const { upstreamConf } = renderContainer({ ...imageEnv, ...env(), ...resolvers }, filter);
      expect(upstreamConf).not.toMatch(/\$\{/);
      expect(upstreamConf).toMatch(/resolver 127\.0\.0\.11 valid=5s/);
      expect(upstreamConf).toMatch(new RegExp(`server ${env().TICKETS_UPSTREAM} resolve;`));
      expect(upstreamConf).toMatch(/map \$host \$tickets_https_port/);
      expect(upstreamConf).toMatch(/^proxy_cache_valid 200 404 \d+s;$/m);
    });

    it('when rendered, then the per-address limits carry numbers: the base values times its TICKETS_RATE_LIMIT_FACTOR', () => {
      const vars = env();
      const { rateLimitsConf } = renderContainer({ ...imageEnv, ...vars, ...resolvers }, filter);
      expect(rateLimitsConf).not.toMatch(/\$\{/);
      const limits = gatewayLimits(
        Number(vars.TICKETS_RATE_LIMIT_FACTOR ?? imageEnv.TICKETS_RATE_LIMIT_FACTOR),
      );
      expect(directives(rateLimitsConf)).toEqual(
        expect.arrayContaining([
          `limit_req_zone $limit_api_address zone=api_per_address:10m rate=${limits.apiRatePerSecond}r/s;`,
          `limit_req zone=auth_per_address burst=${limits.authBurst} nodelay;`,
          `limit_conn streams_per_address ${limits.streamsPerAddress};`,
          'limit_req_status 429;',
        ]),
      );
    });
  });

  it('when read as shipped (not down-levelled), then the upstream uses resolve with a resolver and a shared zone, least_conn and keepalive', () => {
    const upstream = directives(upstreamTemplate);
    expect(upstream).toContain(`resolver ${ref('NGINX_LOCAL_RESOLVERS')} valid=5s ipv6=off;`);
    expect(upstream).toContain('least_conn;');
    expect(upstream).toContain('zone ticket_service 256k;');
    expect(upstream).toContain(`server ${ref('TICKETS_UPSTREAM')} resolve;`);
    expect(upstream).toContain('keepalive 64;');
    expect(directives(containerConf)).toContain('include /etc/nginx/conf.d/*.conf;');
    expect(directives(containerConf)).toContain('http2 on;');
    expect(directives(containerConf)).toContain('listen 8443 ssl;');
    expect(directives(containerConf)).toContain('listen 8080;');
    expect(directives(containerConf)).toContain('ssl_certificate /etc/nginx/tls/tls.crt;');
  });

  it('when down-levelled, then only the resolve server line, http2 on and the listen line change', () => {
    const before = directives(containerConf);
    const after = directives(downlevel(containerConf));
    expect(before.filter((d) => !after.includes(d))).toEqual(['listen 8443 ssl;', 'http2 on;']);
    expect(after.filter((d) => !before.includes(d))).toEqual(['listen 8443 ssl http2;']);
    // Both upstreams (least_conn, and the per-event hash) lose `resolve`.
    expect([
      ...new Set(
        directives(downlevel(upstreamTemplate)).filter((d) => !directives(upstreamTemplate).includes(d)),
      ),
    ]).toEqual(['server 127.0.0.1;']);
  });

  it('when compared line by line with the local cluster template, then only paths, ports, logs and the upstream source differ', () => {
    const template = readFileSync(fromRoot('gateway/nginx.conf.template'), 'utf8');
    // What becomes of each template line in a container; every other line stays as it is.
    const containerised = directives(template)
      .join('\n')
      .replace(/^upstream ticket_service \{\n[\s\S]*?\n\}$/m, 'include /etc/nginx/conf.d/*.conf;')
      // The per-event affinity (map and hashed upstream) lives in the upstream template too.
      .replace(/^map \$uri \$event_affinity \{\n[\s\S]*?\n\}\n/m, '')
      .replace(/^upstream ticket_service_by_event \{\n[\s\S]*?\n\}\n/m, '')
      // The seat maps' TTL comes from the environment, through the upstream template.
      .replace(/^proxy_cache_valid 200 404 \{\{seatMapCacheSeconds\}\}s;\n/m, '')
      // The per-address limits come from the environment too, through rate-limits.conf.
      .replace(RATE_LIMIT_BLOCK, '')
      .replace(/^proxy_cache_path \{\{runDir\}\}\/tmp\/(\S+) /gm, 'proxy_cache_path /tmp/nginx-$1 ')
      .replace(/^pid .*$/m, 'pid /tmp/nginx.pid;')
      .replace(/^error_log .*$/m, 'error_log /dev/stderr warn;')
      .replace(/^access_log .*$/m, 'access_log /dev/stdout combined;')
      .replace(/^(\w+)_temp_path \{\{runDir\}\}\/tmp\/(\w+);$/gm, '$1_temp_path /tmp/nginx-$2;')
      .replace('listen {{httpAddress}};', 'listen 8080;')
      .replace('listen {{httpsAddress}} ssl http2;', 'listen 8443 ssl;\nhttp2 on;')
      .replaceAll('{{httpsPort}}', '$tickets_https_port')
      .replaceAll('{{mimeTypes}}', '/etc/nginx/mime.types')
      .replaceAll('{{certFile}}', '/etc/nginx/tls/tls.crt')
      .replaceAll('{{keyFile}}', '/etc/nginx/tls/tls.key')
      .replaceAll('{{webRoot}}', '/usr/share/nginx/html')
      .split('\n');
    expect(
      directives(containerConf),
      'update gateway/container/nginx.conf to match gateway/nginx.conf.template',
    ).toEqual(containerised);
    // The template's upstream block (least_conn, keepalive) lives in the container's upstream template.
    const upstreamBlock = /^\s*upstream ticket_service \{\n([\s\S]*?)\n\s*\}$/m.exec(template)?.[1] ?? '';
    expect(directives(upstreamBlock)).toContain('least_conn;');
    for (const d of directives(upstreamBlock).filter((d) => /^(least_conn|keepalive)\b/.test(d))) {
      expect(directives(upstreamTemplate)).toContain(d);
    }
    // So do the per-event affinity's map and hashed upstream.
    for (const d of ['hash $event_affinity consistent;', 'default $request_id;']) {
      expect(directives(template)).toContain(d);
      expect(directives(upstreamTemplate)).toContain(d);
    }
    expect(directives(template)).toContain('proxy_cache_valid 200 404 {{seatMapCacheSeconds}}s;');
    expect(directives(upstreamTemplate)).toContain(
      `proxy_cache_valid 200 404 ${ref('TICKETS_SEATMAP_CACHE_SECONDS')}s;`,
    );
  });

  it("when the container's rate-limit template is compared with the local cluster template's limits, then they are the same directives, each placeholder its variable", () => {
    const template = directives(readFileSync(fromRoot('gateway/nginx.conf.template'), 'utf8')).join('\n');
    const block = RATE_LIMIT_BLOCK.exec(template)?.[0];
    expect(block, 'the limits block of gateway/nginx.conf.template').toBeDefined();
    const containerised = (block as string).replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const limit = GATEWAY_LIMITS[name as keyof typeof GATEWAY_LIMITS];
      if (!limit) throw new Error(`{{${name}}} is not a gateway limit`);
      return ref(limit.env);
    });
    expect(`${directives(rateLimitsTemplate).join('\n')}\n`).toBe(containerised);
    // Both answer their refusals alike.
    for (const conf of [template.split('\n'), directives(containerConf)]) {
      expect(conf).toContain('error_page 429 @rate_limited;');
      expect(conf).toContain('add_header Retry-After 1 always;');
    }
  });
});
