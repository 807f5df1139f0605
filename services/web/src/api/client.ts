// fetch() for the public API: JSON in and out, the bearer token of the session,
// and every failure turned into an ApiError that the UI can put in plain words.
import { clock } from '../clock.ts';
import { session } from '../session.ts';
import type { Problem } from './types.ts';

export const API_BASE = '/api/v1';

/** An answer of the API that is not a success (problem+json when the API sent one). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem | undefined;
  /** Seconds, from `retry-after`. */
  readonly retryAfter: number | undefined;

  constructor(status: number, code: string, detail: string, problem?: Problem, retryAfter?: number) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
}

/** The request never got an answer: offline, DNS, TLS, a reset connection. */
export class NetworkError extends Error {
  constructor() {
    super('The server could not be reached.');
    this.name = 'NetworkError';
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON, or a Blob (a file) sent as it is, with its own type. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Send the session's token (default true). */
  auth?: boolean;
  /** The answer's body as a Blob (a download) instead of JSON. */
  blob?: boolean;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as Problem).code === 'string';
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  const file = opts.body instanceof Blob ? opts.body : undefined;
  if (opts.body !== undefined) headers['content-type'] = file ? file.type : 'application/json';
  const token = opts.auth === false ? undefined : session.token();
  if (token) headers.authorization = `Bearer ${token}`;

  let res: Response;
  try {
    res = await fetch(`${API_BASE}${path}`, {
      method: opts.method ?? 'GET',
      headers,
      body: file ?? (opts.body === undefined ? null : JSON.stringify(opts.body)),
      signal: opts.signal ?? null,
      cache: 'no-store',
    });
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    throw new NetworkError();
  }
  clock.observe(res.headers.get('date'));
  if (res.status === 204) return undefined as T;
  if (res.ok && opts.blob) return (await res.blob()) as T;

  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) return body as T;

  const problem = isProblem(body) ? body : undefined;
  const retryAfter = Number(res.headers.get('retry-after')) || undefined;
  const error = new ApiError(
    res.status,
    problem?.code ?? CODE_BY_STATUS[res.status] ?? (res.status >= 500 ? 'UNAVAILABLE' : 'UNKNOWN'),
    problem?.detail ?? res.statusText,
    problem,
    retryAfter,
  );
  // The token expired or was revoked (a password change elsewhere): the session is over.
  if (error.code === 'UNAUTHENTICATED' && token && session.token() === token) session.end('expired');
  throw error;
}

/** A fresh Idempotency-Key. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
