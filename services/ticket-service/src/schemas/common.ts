// Shared JSON schemas (TypeBox). They validate requests, shape responses and feed OpenAPI.
import { type TSchema, Type } from 'typebox';

export const Id = Type.String({ format: 'uuid', description: 'opaque id' });
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

/** Response schemas for the given error statuses, all problem+json. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((s) => [s, Problem]));
}

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 8, maxLength: 200 });
export const Name = Type.String({ minLength: 1, maxLength: 120 });
export const Role = Type.Union([Type.Literal('customer'), Type.Literal('admin')]);
export const DateTime = Type.String({ format: 'date-time' });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });
