// Webhook targets (src/domain/webhooks/targets.ts): private addresses are refused at
// registration, and at send time by a replica that does not allow them.
import { bearer, buildTestApp } from '@tickets/testkit/app';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { refusalOf } from '../../src/domain/webhooks/targets.ts';
import {
  admin,
  adminOn,
  apps,
  closed,
  loopbackApp,
  received,
  receiverUrl,
  useWebhookReceiver,
} from './support.ts';

useWebhookReceiver();

describe('webhook targets', () => {
  it('classifies addresses', () => {
    expect(refusalOf('127.0.0.1', [])).toBe('loopback');
    expect(refusalOf('::1', [])).toBe('loopback');
    expect(refusalOf('::ffff:10.1.2.3', [])).toBe('private');
    expect(refusalOf('192.168.1.1', [])).toBe('private');
    expect(refusalOf('169.254.169.254', ['loopback', 'private'])).toBe('link-local');
    expect(refusalOf('fe80::1', [])).toBe('link-local');
    expect(refusalOf('0.0.0.0', ['loopback'])).toBe('reserved');
    expect(refusalOf('93.184.216.34', [])).toBeUndefined();
    expect(refusalOf('127.0.0.1', ['loopback'])).toBeUndefined();
    expect(refusalOf('10.0.0.1', ['all'])).toBeUndefined();
  });

  it('refuses private targets at registration, and at send time', async () => {
    const strict = await buildTestApp({ replicaId: 'hook-strict' });
    apps.push(strict);
    await adminOn(strict);
    const register = (app: FastifyInstance, url: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/admin/webhooks',
        headers: bearer(admin),
        payload: { url, events: ['order.cancelled'] },
      });
    for (const url of [
      receiverUrl,
      'http://localhost:9/x',
      'http://10.0.0.1/',
      'http://[fe80::1]/',
      'ftp://x.test/',
    ]) {
      const res = await register(strict, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    // Loopback allowed by configuration (as in these tests), private still refused.
    const lenient = await loopbackApp('hook-lenient');
    expect((await register(lenient, 'http://192.168.0.10/')).statusCode).toBe(400);

    // An endpoint whose name resolves to loopback, registered where that was
    // allowed, is refused by a replica that does not allow it: checked at send.
    const created = await register(lenient, receiverUrl.replace('127.0.0.1', 'localhost'));
    expect(created.statusCode).toBe(201);
    const hookId = created.json().id as string;
    await strict.db.$queryRawUnsafe(
      `INSERT INTO webhook_deliveries (endpoint_id, event_type, payload) VALUES ($1::uuid, 'order.cancelled', '{"probe":true}')`,
      hookId,
    );
    await strict.webhooks.sendNow();
    const res = await strict.inject({
      method: 'GET',
      url: `/api/v1/admin/webhooks/${hookId}/deliveries`,
      headers: bearer(admin),
    });
    const [delivery] = res.json().items;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    expect(delivery.attemptLog[0].error).toMatch(/refused address/);
    expect(received).toHaveLength(0);
    expect(
      (
        await lenient.inject({
          method: 'DELETE',
          url: `/api/v1/admin/webhooks/${hookId}`,
          headers: bearer(admin),
        })
      ).statusCode,
    ).toBe(204);
    await strict.close();
    closed.add(strict);
  });
});
