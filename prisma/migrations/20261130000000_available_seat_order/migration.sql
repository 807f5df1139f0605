-- Best-N reads the first available seats of an event in order of preference
-- (dearest first, then section, row, number). This partial index serves that
-- read as an index range scan of just the seats it returns, instead of sorting
-- every available seat of the hall under the event lock. (Partial indexes are
-- not expressible in schema.prisma; Prisma keeps indexes it did not create.)
CREATE INDEX "seats_available_preference_idx" ON "seats" ("event_id", "price_cents" DESC, "section", "row", "number") WHERE "status" = 'available';
