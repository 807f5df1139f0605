-- Signed tickets and check-in (issue #13 item 3; README, "Tickets at the door").
-- A ticket's code is derived when orders are read (an HMAC of its id), so nothing
-- here touches the purchase path: only the door writes these columns.

-- Door accounts: they may check tickets in and do what any customer may, nothing
-- an admin may. (ADD VALUE inside the migration's transaction is fine as long as
-- nothing in the same transaction uses the new value.)
ALTER TYPE "Role" ADD VALUE IF NOT EXISTS 'staff';

-- Set once, by a conditional UPDATE (… WHERE checked_in_at IS NULL), so that two
-- doors scanning one code at once on two replicas admit it exactly once.
-- checked_in_by: the admin or staff member who scanned it (kept when they go).
ALTER TABLE "tickets"
  ADD COLUMN IF NOT EXISTS "checked_in_at" TIMESTAMPTZ(3),
  ADD COLUMN "checked_in_by" UUID REFERENCES "users" ("id") ON DELETE SET NULL;
