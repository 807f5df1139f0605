-- Event images (README, "Event images"): one re-encoded image per event, kept in
-- PostgreSQL so that every replica serves the same bytes. events.image_hash names
-- the current one (its SHA-256, hex) and so the event's imageUrl: it is written in
-- the same transaction as the image, and an event read never touches the bytes.
CREATE TABLE "event_images" (
  "event_id" UUID NOT NULL,
  "hash" TEXT NOT NULL,
  "content_type" TEXT NOT NULL,
  "width" INTEGER NOT NULL,
  "height" INTEGER NOT NULL,
  "data" BYTEA NOT NULL,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

  CONSTRAINT "event_images_pkey" PRIMARY KEY ("event_id"),
  CONSTRAINT "event_images_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

ALTER TABLE "events" ADD COLUMN "image_hash" TEXT;

-- WebP is compressed already: TOAST stores it out of line without trying again.
ALTER TABLE "event_images" ALTER COLUMN "data" SET STORAGE EXTERNAL;
