-- Cancellations with refunds (README, "Cancellations and refunds"). An order is
-- 'confirmed' or 'cancelled'; a cancelled order keeps its tickets (the buyer's
-- history shows its seats) but they no longer hold their seats: the seats go back
-- on sale, and a new ticket for one of them may be written.

ALTER TABLE "orders"
  ADD COLUMN "cancelled_at" TIMESTAMPTZ(3),
  ADD COLUMN "cancelled_by" UUID,
  -- The refund after COMMIT: done when refunded_at is set. Whoever refunds claims
  -- the order first (the cancel itself, in its transaction; the refund sweep
  -- with SKIP LOCKED), so two replicas never refund it at once.
  ADD COLUMN "refunded_at" TIMESTAMPTZ(3),
  ADD COLUMN "refund_claimed_at" TIMESTAMPTZ(3),
  ADD CONSTRAINT "orders_status_check" CHECK ("status" IN ('confirmed', 'cancelled'));

-- What the refund sweep looks at: cancelled orders not yet refunded (few).
CREATE INDEX "orders_refund_due_idx" ON "orders" ("cancelled_at")
  WHERE "status" = 'cancelled' AND "refunded_at" IS NULL;

-- A cancelled order's tickets are marked, not deleted.
ALTER TABLE "tickets" ADD COLUMN "cancelled_at" TIMESTAMPTZ(3);
-- Check-in (issue #13 item 3) adds tickets.checked_in_at; a ticket checked in
-- cannot be cancelled. Added here only if that migration has not (same type).
ALTER TABLE "tickets" ADD COLUMN IF NOT EXISTS "checked_in_at" TIMESTAMPTZ(3);

-- The last guard against selling a seat twice now counts live tickets only: one
-- ticket per seat among those not cancelled.
DROP INDEX "tickets_event_id_seat_id_key";
CREATE UNIQUE INDEX "tickets_event_id_seat_id_key" ON "tickets" ("event_id", "seat_id")
  WHERE "cancelled_at" IS NULL;
