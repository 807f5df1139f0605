// Errors in plain words. The API's problem+json `code` is stable; its `detail`
// is written for developers, so the user sees a sentence chosen here.
import { ApiError, NetworkError } from './client.ts';

export interface Explained {
  /** One sentence for the user. */
  message: string;
  /** Field-by-field problems (VALIDATION_FAILED), already in words. */
  fields: string[];
}

const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Please log in again.',
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  FORBIDDEN: 'Your account is not allowed to do this.',
  NOT_FOUND: 'We could not find that. It may have been removed, or the link is wrong.',
  EMAIL_TAKEN: 'An account with this email already exists. Log in instead, or use another email.',
  SEAT_UNAVAILABLE: 'Some of those seats were just taken by someone else. Please pick other seats.',
  SOLD_OUT: 'There are not that many seats left. Try a smaller number.',
  HOLD_EXPIRED: 'Your hold ran out and the seats went back on sale. Please pick your seats again.',
  SALES_NOT_OPEN: 'Sales for this event have not opened yet.',
  LIMIT_EXCEEDED:
    'That would be more tickets than one customer may have for this event (seats on hold count too).',
  ADMISSION_REQUIRED: 'This sale has a waiting room: please join the queue and wait for your turn.',
  IDEMPOTENCY_CONFLICT:
    'This payment was already sent with different details. Please start the checkout again.',
  ALREADY_CHECKED_IN: 'This ticket has already been checked in.',
  TICKET_CANCELLED: 'This ticket was cancelled: its order was refunded.',
  PAYMENT_DECLINED: 'Your card was declined. Nothing was charged and no seats were bought.',
  PAYLOAD_TOO_LARGE: 'That is too much data to send at once. Please shorten it.',
  UNSUPPORTED_MEDIA_TYPE: 'That file is not a picture we can use. Please choose a JPEG, PNG or WebP image.',
  RATE_LIMITED: 'Too many requests in a short time. Please wait a moment and try again.',
  UNAVAILABLE:
    'The service is busy or partly down right now. Please try again in a moment; a repeated payment is never charged twice.',
  VALIDATION_FAILED: 'Some of the information is not valid. Please check it.',
};

const FIELD_NAMES: Record<string, string> = {
  email: 'Email',
  password: 'Password',
  name: 'Name',
  currentPassword: 'Current password',
  newPassword: 'New password',
  title: 'Title',
  venue: 'Venue',
  description: 'Description',
  startsAt: 'Start time',
  currency: 'Currency',
  layout: 'Layout',
  sections: 'Sections',
  rows: 'rows',
  seatsPerRow: 'seats per row',
  priceCents: 'price',
  card: 'Card number',
  payment: 'Payment',
  quantity: 'Number of seats',
  seatIds: 'Seats',
  role: 'Role',
  salesStartAt: 'Sales start',
  waitingRoom: 'Waiting room',
  admitPerMinute: 'admissions per minute',
  maxTicketsPerCustomer: 'Tickets per customer',
  code: 'Ticket code',
};

/** `body/layout/sections/1/name` → `Section 2 name`. */
export function fieldName(path: string | undefined, field?: string): string {
  const parts = (path ?? '').split('/').filter((p) => p && p !== 'body' && p !== 'querystring');
  if (field) parts.push(field);
  const words: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const next = parts[i + 1];
    if (part === 'sections' && next !== undefined && /^\d+$/.test(next)) {
      words.push(`Section ${Number(next) + 1}`);
      i++;
    } else if (part === 'layout' && parts[i + 1] === 'sections') {
      // "Section 2 name" says enough.
    } else if (/^\d+$/.test(part)) {
      words.push(`#${Number(part) + 1}`);
    } else {
      words.push(FIELD_NAMES[part] ?? part);
    }
  }
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** ajv's and the service's messages, reworded. */
function reword(message: string | undefined): string {
  if (!message) return 'is not valid';
  const fewer = /must NOT have fewer than (\d+) characters/.exec(message);
  if (fewer) return fewer[1] === '1' ? 'is required' : `must be at least ${fewer[1]} characters`;
  const more = /must NOT have more than (\d+) characters/.exec(message);
  if (more) return `must be at most ${more[1]} characters`;
  if (/must match format "email"/.test(message)) return 'is not a valid email address';
  if (/must match format "date-time"/.test(message)) return 'is not a valid date and time';
  if (/must match format "uuid"/.test(message)) return 'is not a valid id';
  if (/must match pattern "\^\[A-Z\]\{3\}\$"/.test(message)) return 'must be a three-letter code like EUR';
  if (/must match pattern/.test(message)) return 'contains characters that are not allowed, or is blank';
  const min = /must be >= (\d+)/.exec(message);
  if (min) return `must be at least ${min[1]}`;
  const max = /must be <= (\d+)/.exec(message);
  if (max) return `must be at most ${max[1]}`;
  if (/must have required property/.test(message)) return 'is required';
  if (/must NOT have additional properties/.test(message)) return 'is not expected';
  return message;
}

export function explain(error: unknown, overrides: Record<string, string> = {}): Explained {
  if (error instanceof NetworkError) {
    return { message: 'We could not reach the server. Check your connection and try again.', fields: [] };
  }
  if (error instanceof ApiError) {
    // One sentence per field: the first problem found is enough to fix it.
    const byField = new Map<string, string>();
    for (const e of error.problem?.errors ?? []) {
      const name = fieldName(e.path, e.field);
      if (!byField.has(name))
        byField.set(name, name ? `${name} ${reword(e.message)}.` : `${reword(e.message)}.`);
    }
    const fields = [...byField.values()];
    let message = overrides[error.code] ?? MESSAGES[error.code];
    if (error.code === 'LIMIT_EXCEEDED' && !overrides.LIMIT_EXCEEDED)
      message = limitMessage(error) ?? message;
    if (error.code === 'RATE_LIMITED' && error.retryAfter) {
      message = `Too many requests in a short time. Please wait ${error.retryAfter} seconds and try again.`;
    }
    if (!message) {
      message =
        error.status >= 500
          ? 'Something went wrong on our side. Please try again in a moment.'
          : error.message || 'That did not work.';
    }
    return { message, fields };
  }
  return { message: 'Something unexpected went wrong. Please reload the page and try again.', fields: [] };
}

/** LIMIT_EXCEEDED with the allowance the API sends (`remaining`, `maxTicketsPerCustomer`). */
function limitMessage(error: ApiError): string | undefined {
  const { remaining, maxTicketsPerCustomer: limit } = error.problem ?? {};
  if (typeof remaining !== 'number') return undefined;
  const most =
    typeof limit === 'number'
      ? `One customer may have at most ${limit} tickets for this event`
      : 'That is more tickets than one customer may have for this event';
  if (remaining <= 0)
    return `${most} (seats on hold count too), and you already have them all: you cannot get more.`;
  return `${most} (seats on hold count too): you may get ${remaining} more. Please choose ${remaining === 1 ? '1 seat' : `at most ${remaining} seats`}.`;
}

export const isCode = (error: unknown, code: string): error is ApiError =>
  error instanceof ApiError && error.code === code;
