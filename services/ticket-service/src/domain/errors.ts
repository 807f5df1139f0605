// Typed errors with the stable codes of API.md. The error handler turns them into
// problem+json; anything that is not an AppError becomes a 500 without detail.

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'FORBIDDEN'
  | 'ADMISSION_REQUIRED'
  | 'NOT_FOUND'
  | 'NOT_ACCEPTABLE'
  | 'EMAIL_TAKEN'
  | 'SEAT_UNAVAILABLE'
  | 'SOLD_OUT'
  | 'HOLD_EXPIRED'
  | 'SALES_NOT_OPEN'
  | 'LIMIT_EXCEEDED'
  | 'TICKET_CHECKED_IN'
  | 'IDEMPOTENCY_CONFLICT'
  | 'ALREADY_CHECKED_IN'
  | 'TICKET_CANCELLED'
  | 'PAYMENT_DECLINED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RATE_LIMITED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  // An event with a waiting room: no valid Admission-Token for this customer and event.
  ADMISSION_REQUIRED: 403,
  NOT_FOUND: 404,
  NOT_ACCEPTABLE: 406,
  EMAIL_TAKEN: 409,
  SEAT_UNAVAILABLE: 409,
  SOLD_OUT: 409,
  HOLD_EXPIRED: 409,
  // Before the event's salesStartAt: holds and orders wait for the opening.
  SALES_NOT_OPEN: 409,
  // The customer's tickets and held seats for the event would pass its
  // maxTicketsPerCustomer; `remaining` says how many more they may get.
  LIMIT_EXCEEDED: 409,
  // An order with a ticket already checked in at the door cannot be cancelled.
  TICKET_CHECKED_IN: 409,
  IDEMPOTENCY_CONFLICT: 409,
  // Check-in: the ticket was admitted before (`checkedInAt` says when), or its
  // order was cancelled.
  ALREADY_CHECKED_IN: 409,
  TICKET_CANCELLED: 409,
  PAYMENT_DECLINED: 402,
  PAYLOAD_TOO_LARGE: 413,
  // A body of a type the route does not take (event images: judged from the bytes).
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Extra members of the problem document, e.g. `unavailable` or `errors`. */
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, detail: string, extra: Record<string, unknown> = {}) {
    // An AppError is an answer (a seat taken, a bad field), not a bug: its stack
    // would never be read, and capturing one costs more than the rest of a
    // refusal during a surge, when most answers are refusals.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'AppError';
    this.code = code;
    this.status = STATUS[code];
    this.extra = extra;
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
