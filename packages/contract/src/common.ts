// Shared JSON schemas (TypeBox). They validate requests, shape responses and feed OpenAPI.
import { type Static, type TSchema, Type } from 'typebox';
import { MAX_LENGTH, MIN_PASSWORD_LENGTH } from './limits.ts';

// A plain canonical UUID: the pattern refuses the `urn:uuid:` prefix that
// ajv-formats admits and Postgres does not.
export const Id = Type.String({
  format: 'uuid',
  pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  description: 'opaque id',
});

// PostgreSQL text cannot hold NUL, so no string field admits it.
const NO_NUL = '^[^\\u0000]*$';
// Names and titles must show something once trimmed.
const NOT_BLANK = '^[^\\u0000]*[^\\u0000\\s][^\\u0000]*$';

/** Free text (may be empty). */
export const Text = (opts: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ pattern: NO_NUL, ...opts });

/** A name or title: at least one visible character. */
export const Label = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: NOT_BLANK });
export const EventParams = Type.Object({ eventId: Id }, { additionalProperties: false });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof Problem>;

/** Response schemas for the given error statuses, all problem+json. */
export function problems(
  ...statuses: number[]
): Record<number, { content: Record<string, { schema: TSchema }> }> {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: 'problem details', content: { 'application/problem+json': { schema: Problem } } },
    ]),
  );
}

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: MAX_LENGTH.email });
export const Password = Text({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_LENGTH.password });
export const Name = Label(MAX_LENGTH.name);
export const Role = Type.Union([Type.Literal('customer'), Type.Literal('admin'), Type.Literal('staff')], {
  description: 'staff: door accounts, which may check tickets in (and do what customers may)',
});
export type Role = Static<typeof Role>;
export const DateTime = Type.String({ format: 'date-time' });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });
