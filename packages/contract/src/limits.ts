// What the API accepts, as plain numbers. The schemas are built from these, and the
// web client checks its forms and words its hints with them, so the two cannot drift
// apart. No TypeBox here: the web bundle imports this file and must stay without it.

/** Seats one hold or one-step order takes at most, named by id or asked for as the best N. */
export const MAX_SEATS_PER_HOLD = 10;

/** A test card number: digits only (a client may let people type spaces or dashes). */
export const CARD_DIGITS = { min: 12, max: 19 } as const;

/** An event's maxTicketsPerCustomer: tickets plus seats on hold one customer may have. */
export const TICKETS_PER_CUSTOMER = { min: 1, max: 100, default: 10 } as const;

/** An event's layout. */
export const MAX_SEATS_PER_EVENT = 100_000;
export const MAX_SECTIONS = 100;
export const SECTION = { maxRows: 500, maxSeatsPerRow: 500, maxPriceCents: 100_000_000 } as const;

/** A waiting room lets in this many customers per minute, across all replicas. */
export const ADMIT_PER_MINUTE = { min: 1, max: 100_000 } as const;

/** Longest texts accepted, in characters. */
export const MAX_LENGTH = {
  eventTitle: 200,
  venue: 200,
  description: 5000,
  sectionName: 60,
  name: 120,
  email: 254,
  password: 200,
  checkInCode: 200,
  webhookUrl: 2000,
  idempotencyKey: 255,
  cursor: 200,
  auditBefore: 40,
} as const;

/** Shortest new password, in characters. */
export const MIN_PASSWORD_LENGTH = 8;

/** `limit` of the paged lists: the most one page holds, and the size when none is asked. */
export const PAGE_SIZE = {
  events: { max: 100, default: 20 },
  audit: { max: 500, default: 50 },
  deliveries: { max: 200 },
} as const;

/** An event's image upload: judged by its bytes, stored as WebP of at most MAX_IMAGE_SIDE a side. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
export const MAX_IMAGE_SIDE = 1600;
