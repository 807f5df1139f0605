/**
 * Where an event's image is served: the URL carries (a prefix of) the image's
 * hash, so it changes whenever the image does and the bytes behind one URL never
 * change — browsers and the gateway may keep them for good. null: no image.
 */
export const eventImageUrl = (eventId: string, hash: string | null) =>
  hash ? `/api/v1/events/${eventId}/image?v=${hash.slice(0, IMAGE_VERSION_LENGTH)}` : null;

/** Hex digits of the SHA-256 in the URL: 64 bits, plenty to tell one event's images apart. */
export const IMAGE_VERSION_LENGTH = 16;
