-- Orders record whether their payment was captured. A purchase commits its
-- order as 'authorized' and marks it 'captured' after the provider's capture,
-- so a capture lost in between (the replica died after COMMIT, the provider
-- failed) is found again by the capture sweep (domain/payments/capture-sweep.ts).
CREATE TYPE "PaymentStatus" AS ENUM ('authorized', 'captured');

-- Orders from before this migration are taken as captured: their capture ran,
-- or its failure was logged at the time; when, nobody recorded (captured_at
-- stays NULL). Adding columns with a constant default rewrites no rows.
ALTER TABLE "orders"
  ADD COLUMN "payment_status" "PaymentStatus" NOT NULL DEFAULT 'captured',
  ADD COLUMN "captured_at" TIMESTAMPTZ(3),
  ADD COLUMN "capture_claimed_at" TIMESTAMPTZ(3);
-- From now on an order is authorized until its capture is recorded; writers
-- name the status anyway, the default only covers one that does not.
ALTER TABLE "orders" ALTER COLUMN "payment_status" SET DEFAULT 'authorized';

-- The sweep's look-up: only orders still waiting for their capture are in it,
-- so it stays small however many orders there are. (Partial indexes are not
-- expressible in schema.prisma; Prisma keeps indexes it did not create.)
CREATE INDEX "orders_uncaptured_idx" ON "orders" ("created_at") WHERE "payment_status" = 'authorized';
