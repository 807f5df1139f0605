import type { Redis } from 'ioredis';

/** Number of nodes that answer PING within the timeout. */
export async function reachableNodes(clients: Redis[], timeoutMs = 500): Promise<number> {
  const answers = await Promise.all(
    clients.map(async (c) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        return await Promise.race([c.ping().then((r) => r === 'PONG'), timeout]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return answers.filter(Boolean).length;
}

export const quorumOf = (n: number) => Math.floor(n / 2) + 1;

/** QUIT when connected; a node that is down is just disconnected (QUIT would wait for it). */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await client.quit().catch(() => client.disconnect());
}
