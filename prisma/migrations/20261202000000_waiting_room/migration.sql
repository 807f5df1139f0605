-- Sales that open at a set time, and a waiting room per event (README, "Waiting
-- room"). Admission is derived from these rows alone: an entry is admitted once
-- the clock passes its stored `admit_at`, so no process has to tick, a replica
-- that dies stops nothing, and losing Redis cannot reorder the queue.

-- Adding nullable columns, or one with a constant default, rewrites no rows.
ALTER TABLE "events"
  ADD COLUMN "sales_start_at" TIMESTAMPTZ(3),
  ADD COLUMN "waiting_room_enabled" BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN "admit_per_minute" INTEGER,
  ADD CONSTRAINT "events_admit_per_minute_check" CHECK ("admit_per_minute" >= 1);

-- One row per event that has (or had) a waiting room: the admission clock. Every
-- entry gets the next slot and an admission time from it under this row's lock,
-- so slots are dense and their times never closer than the rate allows.
CREATE TABLE "waiting_rooms" (
    "event_id" UUID NOT NULL,
    -- When those who joined before the opening were put in their random order
    -- (NULL: not yet; it happens once, at the first request after the opening).
    "drawn_at" TIMESTAMPTZ(6),
    -- Slots given so far (slots count from 1), and the admission time of the last.
    "last_slot" BIGINT NOT NULL DEFAULT 0,
    "last_admit_at" TIMESTAMPTZ(6),

    CONSTRAINT "waiting_rooms_pkey" PRIMARY KEY ("event_id")
);

-- A customer's places in an event's queue: attempt 1, then one more each time
-- they join again after their admission ran out. Rows are never deleted (but
-- with their event or user), so a slot once given keeps its time.
CREATE TABLE "queue_entries" (
    "event_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "joined_at" TIMESTAMPTZ(3) NOT NULL,
    -- Random, for those who joined before the opening: the draw orders them by it.
    "draw_key" BIGINT,
    -- Place in the admission order and when it is admitted; NULL until the draw
    -- for those who joined before the opening.
    "slot" BIGINT,
    "admit_at" TIMESTAMPTZ(6),

    CONSTRAINT "queue_entries_pkey" PRIMARY KEY ("event_id","user_id","attempt")
);

-- "How far has admission got?": the last slot whose time has come, one probe.
CREATE INDEX "queue_entries_admission_idx" ON "queue_entries" ("event_id", "admit_at", "slot")
  WHERE "slot" IS NOT NULL;
-- The draw and a provisional place before it read the undrawn entries by key.
-- (Partial indexes are not expressible in schema.prisma; Prisma keeps indexes it did not create.)
CREATE INDEX "queue_entries_draw_idx" ON "queue_entries" ("event_id", "draw_key") WHERE "slot" IS NULL;

ALTER TABLE "waiting_rooms" ADD CONSTRAINT "waiting_rooms_event_id_fkey"
  FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "queue_entries" ADD CONSTRAINT "queue_entries_event_id_fkey"
  FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "queue_entries" ADD CONSTRAINT "queue_entries_user_id_fkey"
  FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
