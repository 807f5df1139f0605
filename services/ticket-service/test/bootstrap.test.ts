import { randomUUID } from 'node:crypto';
import { testServices } from '@tickets/testkit/services';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrisma } from '../src/plugins/external/prisma.ts';
import { type Replica, spawnNode, startReplica } from './support/processes.ts';

const { databaseUrl, redisUrls } = testServices();
const db = createPrisma(databaseUrl, 2);
const replicas: Replica[] = [];
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
  await db.$disconnect();
});

const baseEnv = {
  DATABASE_URL: databaseUrl,
  REDIS_URLS: redisUrls.join(','),
  JWT_SECRET: 'bootstrap-test-secret-123',
};

describe('admin bootstrap', () => {
  it('when three replicas start at once with the admin variables, then exactly one admin exists and can log in', async () => {
    const email = `boot-${randomUUID().slice(0, 8)}@example.test`;
    const env = { ...baseEnv, TICKETS_ADMIN_EMAIL: email, TICKETS_ADMIN_PASSWORD: 'bootstrap password' };
    replicas.push(...(await Promise.all(['b1', 'b2', 'b3'].map((id) => startReplica(id, env)))));
    const admins = await db.user.findMany({ where: { email } });
    expect(admins).toHaveLength(1);
    expect(admins[0]?.role).toBe('admin');
    const created = await db.auditEntry.count({
      where: { action: 'user.admin_bootstrap', detail: { equals: { email } } },
    });
    expect(created).toBe(1);
    const login = await fetch(`${replicas[1]?.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'bootstrap password' }),
    });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { user: { role: string } }).user.role).toBe('admin');
  });

  it('when the CLI creates the same admin three times at once, then one admin exists and reruns change nothing', async () => {
    const email = `cli-${randomUUID().slice(0, 8)}@example.test`;
    const runs = Array.from({ length: 3 }, () =>
      spawnNode('src/cli.ts', ['create-admin', '--email', email, '--password', 'cli password 1'], baseEnv),
    );
    const codes = await Promise.all(runs.map((r) => r.exited));
    expect(codes, runs.map((r) => r.output()).join('\n')).toEqual([0, 0, 0]);
    const outputs = runs.map((r) => r.output());
    expect(outputs.filter((o) => o.includes('created'))).toHaveLength(1);
    expect(outputs.filter((o) => o.includes('already exists'))).toHaveLength(2);
    expect(await db.user.count({ where: { email, role: 'admin' } })).toBe(1);
  });

  it('when the admin email belongs to a customer, then the CLI refuses and does not promote them', async () => {
    const email = `cust-${randomUUID().slice(0, 8)}@example.test`;
    await db.user.create({ data: { email, name: 'Customer', passwordHash: 'x', role: 'customer' } });
    const run = spawnNode(
      'src/cli.ts',
      ['create-admin', '--email', email, '--password', 'cli password 1'],
      baseEnv,
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('belongs to a customer');
    expect((await db.user.findUniqueOrThrow({ where: { email } })).role).toBe('customer');
  });
});
