import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from 'typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as contract from '../src/index.ts';
import type { Payment, SeatSelection } from '../src/purchase.ts';

const src = join(import.meta.dirname, '../src');
const modules = readdirSync(src).filter((f) => f.endsWith('.ts') && f !== 'index.ts');

/** A schema's property names, of each member for a union (what a client sends or reads). */
const fields = (schema: TSchema): string[][] => {
  const s = schema as { anyOf?: TSchema[]; properties?: Record<string, unknown> };
  return s.anyOf ? s.anyOf.flatMap(fields) : [Object.keys(s.properties ?? {})];
};

describe('the contract package', () => {
  it.each(modules)(
    'when %s is imported, then the index exports the same values under the same names',
    async (file) => {
      const module = (await import(join(src, file))) as Record<string, unknown>;
      expect(Object.keys(module).length).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(module)) {
        expect((contract as Record<string, unknown>)[name], name).toBe(value);
      }
    },
  );

  it('when limits.ts is read, then it imports nothing (the web bundle takes it without TypeBox)', () => {
    const source = readFileSync(join(src, 'limits.ts'), 'utf8');
    expect(source).not.toMatch(/^\s*(import|export)\b[^;]*\bfrom\b/m);
    expect(source).not.toMatch(/\bimport\s*\(|\brequire\s*\(/);
  });

  it('when the bodies clients send are read, then their field names are the documented ones', () => {
    expect(fields(contract.SignupBody)).toEqual([['email', 'password', 'name']]);
    expect(fields(contract.LoginBody)).toEqual([['email', 'password']]);
    expect(fields(contract.ChangePasswordBody)).toEqual([['currentPassword', 'newPassword']]);
    expect(fields(contract.CreateUserBody)).toEqual([['email', 'password', 'name', 'role']]);
    expect(fields(contract.SeatSelection)).toEqual([['seatIds'], ['quantity']]);
    expect(fields(contract.OrderHoldBody)).toEqual([['payment']]);
    expect(fields(contract.BuyNowBody)).toEqual([
      ['seatIds', 'payment'],
      ['quantity', 'payment'],
    ]);
    expect(fields(contract.Payment)).toEqual([['method', 'card']]);
    expect(fields(contract.CreateEventBody)).toEqual([
      [
        'title',
        'description',
        'venue',
        'startsAt',
        'currency',
        'salesStartAt',
        'waitingRoom',
        'maxTicketsPerCustomer',
        'layout',
      ],
    ]);
    expect(fields(contract.Section)).toEqual([['name', 'rows', 'seatsPerRow', 'priceCents']]);
    expect(fields(contract.PatchEventBody)).toEqual([
      ['status', 'salesStartAt', 'waitingRoom', 'maxTicketsPerCustomer'],
    ]);
    expect(fields(contract.CheckInBody)).toEqual([['code']]);
    expect(fields(contract.CreateWebhookBody)).toEqual([['url', 'events']]);
    expect(fields(contract.EventListQuery)).toEqual([['limit', 'cursor']]);
    expect(fields(contract.AuditQuery)).toEqual([['limit', 'before']]);
    expect(fields(contract.IdempotencyHeaders)).toEqual([['idempotency-key']]);
  });

  it('when the static types are read, then they are the shapes the schemas describe', () => {
    expectTypeOf<SeatSelection>().toEqualTypeOf<{ seatIds: string[] } | { quantity: number }>();
    expectTypeOf<Payment>().toEqualTypeOf<{ method: 'test'; card: string }>();
    expectTypeOf<contract.QueueState['state']>().toEqualTypeOf<'waiting' | 'admitted' | 'expired'>();
    expectTypeOf<contract.Role>().toEqualTypeOf<'customer' | 'admin' | 'staff'>();
  });
});
