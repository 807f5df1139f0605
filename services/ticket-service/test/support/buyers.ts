// Many buyers at once, without paying argon2 for each: rows go straight into the
// users table and tokens are signed with the replicas' JWT secret, exactly as
// the service signs them.
import { randomUUID } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';

export interface Buyer {
  id: string;
  email: string;
  token: string;
}

export async function createBuyers(
  db: PrismaClient,
  count: number,
  jwtSecret: string,
  tag = 'buyer',
): Promise<Buyer[]> {
  const run = randomUUID().slice(0, 8);
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    email: `${tag}-${run}-${i}@example.test`,
    name: `${tag} ${i}`,
    passwordHash: 'not-used-by-these-tests',
  }));
  await db.user.createMany({ data: rows });
  const sign = createSigner({ key: jwtSecret, expiresIn: 3600_000 });
  return rows.map((r) => ({ id: r.id, email: r.email, token: sign({ sub: r.id, tv: 0 }) }));
}
