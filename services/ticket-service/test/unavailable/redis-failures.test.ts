// Redis failures, as ioredis throws them, are 503.
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@tickets/infra/free-port';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnavailable } from '../../src/lib/unavailable.ts';
import { failure } from './support.ts';

describe('Redis failures through ioredis are 503', () => {
  let silent: Server;
  let silentPort: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Accepts connections and never answers: a hung master, as a client sees it.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    silentPort = await freePort();
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('"Command timed out" from a node that never answers', async () => {
    const client = new Redis({ port: silentPort, enableReadyCheck: false, commandTimeout: 100 });
    client.on('error', () => {});
    try {
      const err = await failure(() => client.get('key'));
      expect(String((err as Error).message)).toBe('Command timed out');
      expect(isUnavailable(err)).toBe(true);
    } finally {
      client.disconnect();
    }
  });

  it('MaxRetriesPerRequestError from a node that is down, and a refused offline command', async () => {
    const port = await freePort();
    const retrying = new Redis({ port, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    const offline = new Redis({ port, enableOfflineQueue: false, retryStrategy: () => 50 });
    for (const c of [retrying, offline]) c.on('error', () => {});
    try {
      const gaveUp = await failure(() => retrying.get('key'));
      expect((gaveUp as Error).name).toBe('MaxRetriesPerRequestError');
      expect(isUnavailable(gaveUp)).toBe(true);
      const refused = await failure(() => offline.get('key'));
      expect(String((refused as Error).message)).toContain("Stream isn't writeable");
      expect(isUnavailable(refused)).toBe(true);
    } finally {
      retrying.disconnect();
      offline.disconnect();
    }
  });
});
