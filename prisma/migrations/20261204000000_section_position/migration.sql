-- Sections keep the order the layout gave them (README, "Section order"): each
-- seat carries its section's place in the layout, 0 for the first section. The
-- seat map, the admin preview and best-N's tie-break between sections of one
-- price order by it instead of by the section's name.

-- A constant default rewrites no rows; the backfill below then gives the events
-- created before the layout's order was stored the order they were shown in
-- until now (by name), so nothing moves for them.
ALTER TABLE "seats" ADD COLUMN "section_position" SMALLINT NOT NULL DEFAULT 0;

UPDATE "seats" s
   SET "section_position" = p.position
  FROM (SELECT "event_id", "section",
               (dense_rank() OVER (PARTITION BY "event_id" ORDER BY "section") - 1)::smallint AS position
          FROM (SELECT DISTINCT "event_id", "section" FROM "seats") d) p
 WHERE s."event_id" = p."event_id" AND s."section" = p."section" AND p.position <> 0;

-- Best-N's order of preference with the layout's order of sections (dearest
-- first, then section position, row, number), for when domain/purchase reads by
-- it; seats_available_preference_idx (by section name) serves the reads that
-- still order by name and goes once none does.
CREATE INDEX "seats_available_position_idx" ON "seats" ("event_id", "price_cents" DESC, "section_position", "row", "number") WHERE "status" = 'available';
