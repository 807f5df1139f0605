// Example values at a given size, for probing the schemas at their limits.
import { randomUUID } from 'node:crypto';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';

/** n distinct seat ids. */
export const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

/** A string of n visible characters. */
export const text = (n: number) => 'x'.repeat(n);

/** A card number of n digits (4242…). */
export const card = (n: number) => '42'.repeat(n).slice(0, n);

/** Whether the schema accepts the value, as the service's validation would. */
export const accepts = (schema: TSchema, value: unknown) => Value.Check(schema, value);

/** A keyword of a schema as JSON Schema has it (`default`, `maximum`…). */
export const keyword = (schema: TSchema, name: string) => (schema as Record<string, unknown>)[name];
