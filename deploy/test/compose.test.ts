import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '@tickets/ticket-service/config';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  composeValidator,
  InterpolationError,
  loadCompose,
  parseEnvFile,
  readCompose,
  variablesIn,
} from './support/compose.ts';
import { fromRoot } from './support/paths.ts';
import type { Tree } from './support/tree.ts';

const composeFile = fromRoot('docker-compose.yml');
const envExample = parseEnvFile(readFileSync(fromRoot('.env.example'), 'utf8'));
const compose = loadCompose(composeFile, envExample);
const services = compose.services;

describe('docker-compose.yml', () => {
  it('when interpolated with .env.example, then it validates against the Compose specification schema', () => {
    expect(composeValidator()(compose)).toEqual([]);
  });

  it('when a required secret is missing from the environment, then interpolation refuses, as Compose does', () => {
    const { JWT_SECRET: _, ...withoutJwt } = envExample;
    expect(() => loadCompose(composeFile, withoutJwt)).toThrow(InterpolationError);
    expect(() => loadCompose(composeFile, withoutJwt)).toThrow(/JWT_SECRET/);
  });

  it('when the schema sees a misspelt field, then it rejects the file (the check is strict)', () => {
    const broken = structuredClone(compose);
    broken.services['ticket-service'].healthcheck = { test: ['CMD', 'true'], intreval: '5s' };
    expect(composeValidator()(broken).join('\n')).toMatch(/additional properties/);
  });

  it('when read, then every variable it uses is documented in .env.example, and .env.example has no stray one', () => {
    const used = new Set(variablesIn(readFileSync(composeFile, 'utf8')));
    expect([...used].filter((v) => !(v in envExample))).toEqual([]);
    expect(Object.keys(envExample).filter((v) => !used.has(v))).toEqual([]);
  });

  it('when read, then it has PostgreSQL, three Redis masters, migration, service, gateway, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'gateway',
        'grafana',
        'migrate',
        'postgres',
        'prometheus',
        'redis-1',
        'redis-2',
        'redis-3',
        'ticket-service',
      ].sort(),
    );
    expect(services.postgres.healthcheck.test).toContain('pg_isready');
    expect(services.postgres.volumes[0]).toMatch(/^postgres-data:/);
  });

  it('when read, then the three Redis servers are independent append-only masters with their own volumes', () => {
    const volumes = new Set<string>();
    for (const name of ['redis-1', 'redis-2', 'redis-3']) {
      const command = services[name].command.join(' ');
      expect(command).toMatch(/--appendonly yes/);
      expect(command).toMatch(/--maxmemory-policy noeviction/);
      expect(command).not.toMatch(/replicaof|slaveof/);
      volumes.add(services[name].volumes[0].split(':')[0]);
    }
    expect(volumes.size).toBe(3);
  });

  it('when read, then the service scales: no fixed name or host port, a replica count from the environment, migrations first', () => {
    const service = services['ticket-service'];
    expect(service.container_name).toBeUndefined();
    expect(service.ports).toBeUndefined();
    expect(service.deploy.replicas).toBe(Number(envExample.TICKET_SERVICE_REPLICAS));
    expect(readCompose(composeFile).services['ticket-service'].deploy.replicas).toBe(
      `\${TICKET_SERVICE_REPLICAS:-3}`,
    );
    expect(service.depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
    expect(services.migrate.command).toEqual(['node', 'services/ticket-service/src/cli.ts', 'migrate']);
    expect(services.migrate.image).toBe(service.image);
  });

  it(".env.example's placeholder secrets, as they are, make every replica refuse to start, naming them", () => {
    expect(() => loadConfig(services['ticket-service'].environment)).toThrow(
      /JWT_SECRET looks like a placeholder.*TICKETS_ADMIN_PASSWORD looks like a placeholder/,
    );
  });

  it('when interpolated with real secrets, then the environment it gives each replica is a valid service configuration', () => {
    const withSecrets = loadCompose(composeFile, {
      ...envExample,
      JWT_SECRET: randomBytes(32).toString('hex'),
      TICKETS_ADMIN_PASSWORD: randomBytes(18).toString('base64'),
    }).services;
    const config = loadConfig(withSecrets['ticket-service'].environment);
    expect(config.allowWeakSecrets).toBe(false);
    // One factor for the replicas and the gateway.
    expect(config.rateLimitFactor).toBe(Number(envExample.TICKETS_RATE_LIMIT_FACTOR));
    expect(withSecrets.gateway.environment.TICKETS_RATE_LIMIT_FACTOR).toBe(
      envExample.TICKETS_RATE_LIMIT_FACTOR,
    );
    expect(config.host).toBe('0.0.0.0');
    expect(config.redisUrls).toEqual([
      'redis://redis-1:6379',
      'redis://redis-2:6379',
      'redis://redis-3:6379',
    ]);
    expect(config.databaseUrl).toBe(
      `postgresql://tickets:${envExample.POSTGRES_PASSWORD}@postgres:5432/tickets`,
    );
    expect(services.migrate.environment.DATABASE_URL).toBe(config.databaseUrl);
    // Each Redis URL and the database URL name a service of this file.
    for (const url of [...config.redisUrls, config.databaseUrl]) {
      expect(Object.keys(services)).toContain(new URL(url).hostname);
    }
  });

  it('when read, then the gateway balances over the service name, and Prometheus scrapes the same name', () => {
    expect(services.gateway.environment.TICKETS_UPSTREAM).toBe('ticket-service:3000');
    expect(services.gateway.environment.TICKETS_HTTPS_PORT).toBe(envExample.GATEWAY_HTTPS_PORT);
    expect(services.gateway.ports).toContain(`${envExample.GATEWAY_HTTPS_PORT}:8443`);
    const prometheus = parseYaml(readFileSync(fromRoot('deploy/prometheus/prometheus.yml'), 'utf8'));
    const job = prometheus.scrape_configs.find((j: Tree) => j.job_name === 'ticket-service');
    expect(job.dns_sd_configs).toEqual([
      { names: ['ticket-service'], type: 'A', port: 3000, refresh_interval: '5s' },
    ]);
  });

  it('when read, then every build context, Dockerfile and bind mount it names exists', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) {
        expect(existsSync(fromRoot(service.build.context, service.build.dockerfile)), name).toBe(true);
      }
      for (const volume of service.volumes ?? []) {
        const source = String(volume).split(':')[0] as string;
        if (source.startsWith('.')) expect(existsSync(fromRoot(source)), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes ?? {}), `${name}: ${source}`).toContain(source);
      }
    }
  });
});
