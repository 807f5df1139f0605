// An event's image: set (replacing any), removed, read. The image row and
// events.image_hash change in one transaction, so an event never names an image
// that is not there; every replica serves the same stored bytes.
import { createHash } from 'node:crypto';
import { recordAudit } from '../audit/record.ts';
import type { Actor, DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { eventImageUrl } from './event-image-url.ts';
import { reencodeImage } from './image-encoding.ts';

export interface StoredImage {
  hash: string;
  contentType: string;
}

/** Checks and re-encodes the upload, then stores it as the event's image; answers its URL. */
export async function setEventImage(ctx: DomainContext, actor: Actor, eventId: string, upload: Buffer) {
  // Decoding before the transaction: a bad upload never reaches the database,
  // and no transaction waits on the image work.
  const image = await reencodeImage(upload);
  const hash = createHash('sha256').update(image.data).digest('hex');
  await ctx.db.$transaction(async (tx) => {
    const updated = await tx.event.updateMany({ where: { id: eventId }, data: { imageHash: hash } });
    if (updated.count === 0) throw notFound('event');
    const row = { hash, contentType: image.contentType, width: image.width, height: image.height };
    await tx.eventImage.upsert({
      where: { eventId },
      create: { eventId, ...row, data: new Uint8Array(image.data) },
      update: { ...row, data: new Uint8Array(image.data), updatedAt: new Date() },
    });
    await recordAudit(tx, ctx.replica, {
      actor,
      action: 'event.image',
      subject: `event:${eventId}`,
      detail: {
        hash,
        width: image.width,
        height: image.height,
        bytes: image.data.length,
        uploadBytes: upload.length,
      },
    });
  });
  return {
    imageUrl: eventImageUrl(eventId, hash) as string,
    contentType: image.contentType,
    width: image.width,
    height: image.height,
    bytes: image.data.length,
  };
}

/** Removes the event's image; removing none is harmless (404 only for an unknown event). */
export async function removeEventImage(ctx: DomainContext, actor: Actor, eventId: string): Promise<void> {
  await ctx.db.$transaction(async (tx) => {
    const event = await tx.event.findUnique({ where: { id: eventId }, select: { imageHash: true } });
    if (!event) throw notFound('event');
    if (event.imageHash === null) return;
    await tx.event.update({ where: { id: eventId }, data: { imageHash: null } });
    await tx.eventImage.deleteMany({ where: { eventId } });
    await recordAudit(tx, ctx.replica, { actor, action: 'event.image_removed', subject: `event:${eventId}` });
  });
}

/** The strong validator of an image: its content hash. */
export const imageEtag = (hash: string) => `"${hash}"`;

/**
 * The event's current image; 404 when the event or its image does not exist.
 * When `fresh` says the client holds this version already (If-None-Match), the
 * bytes are not read: `data` is undefined.
 */
export async function readEventImage(
  ctx: DomainContext,
  eventId: string,
  fresh: (etag: string) => boolean = () => false,
): Promise<StoredImage & { etag: string; data?: Uint8Array }> {
  const head = await ctx.db.eventImage.findUnique({
    where: { eventId },
    select: { hash: true, contentType: true },
  });
  if (!head) throw notFound('image');
  const etag = imageEtag(head.hash);
  if (fresh(etag)) return { ...head, etag };
  const body = await ctx.db.eventImage.findUnique({ where: { eventId }, select: { hash: true, data: true } });
  // Replaced between the two reads: the newer image, with its own validator.
  if (!body) throw notFound('image');
  return { ...head, hash: body.hash, etag: imageEtag(body.hash), data: body.data };
}
