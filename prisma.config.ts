// Prisma CLI configuration (Prisma 7). The URL is only needed by commands that
// talk to a database; `prisma generate` works without it.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/tickets' },
});
