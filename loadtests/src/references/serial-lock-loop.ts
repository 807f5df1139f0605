// Reference for `hot-event`: one event's purchases done serially with no HTTP
// and no service code: take a Redlock-style lock on the three Redis masters,
// run the purchase transaction, release, repeat. The ceiling for one event
// under a mutex (one purchase per lock hold).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { prepareScratch, REFERENCE_SEATS } from './scratch-db.ts';

const RELEASE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export async function serialLockLoop(
  databaseUrl: string,
  redisUrls: string[],
  seconds: number,
): Promise<number> {
  const db = new pg.Client({ connectionString: await prepareScratch(databaseUrl) });
  await db.connect();
  const nodes = redisUrls.map((u) => new Redis(u, { maxRetriesPerRequest: 1 }));
  const key = `loadtest:reference-lock:${randomUUID()}`;
  const quorum = Math.floor(nodes.length / 2) + 1;
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  try {
    while (performance.now() < deadline) {
      const token = randomUUID();
      const votes = await Promise.all(
        nodes.map((n) => n.set(key, token, 'PX', 2000, 'NX').catch(() => null)),
      );
      if (votes.filter((v) => v === 'OK').length < quorum) continue;
      const id = 1 + Math.floor(Math.random() * REFERENCE_SEATS);
      await db.query('BEGIN');
      await db.query("UPDATE ref_seats SET status = 'sold' WHERE id = $1 AND status = 'available'", [id]);
      await db.query('INSERT INTO ref_tickets (seat_id) VALUES ($1) ON CONFLICT DO NOTHING', [id]);
      await db.query('COMMIT');
      await Promise.all(nodes.map((n) => n.eval(RELEASE, 1, key, token).catch(() => 0)));
      done++;
    }
  } finally {
    await db.end();
    for (const n of nodes) n.disconnect();
  }
  return done / seconds;
}
