-- AlterTable
ALTER TABLE "idempotency_records" ADD COLUMN "owner" TEXT,
ADD COLUMN "lease_until" TIMESTAMPTZ(3);

-- A seat's status and its links agree: held seats belong to a hold, sold seats to
-- an order, and available seats to neither. (Not expressible in schema.prisma;
-- Prisma keeps CHECK constraints it did not create.)
ALTER TABLE "seats" ADD CONSTRAINT "seats_hold_matches_status" CHECK (("status" = 'held') = ("hold_id" IS NOT NULL));
ALTER TABLE "seats" ADD CONSTRAINT "seats_order_matches_status" CHECK (("status" = 'sold') = ("order_id" IS NOT NULL));
