// Bad bodies that more than one route shares: the ones every JSON body must refuse, and
// the seat selection and payment that holds and purchases take.
import { randomUUID } from 'node:crypto';
import { GOOD_CARD } from '@tickets/testkit/purchase';
import { type BodyRouteKey, layout } from './body-routes.ts';

/** How a case turns the route's valid body into a bad request. */
export type Mutation =
  | { body: (valid: Record<string, unknown>) => unknown; fields?: string[] }
  | { raw: (valid: Record<string, unknown>) => string; contentType?: string };

export interface BodyCase {
  route: BodyRouteKey;
  kind: string;
  mutate: Mutation;
}

/** A case that sends the valid body changed by `body`; the refusal must name each of `fields`. */
export const bodyCase = (
  route: BodyRouteKey,
  kind: string,
  body: (valid: Record<string, unknown>) => unknown,
  fields?: string[],
): BodyCase => ({ route, kind, mutate: { body, ...(fields ? { fields } : {}) } });

export const omit = (o: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
export const withLayout = (v: Record<string, unknown>, section: Record<string, unknown>) => ({
  ...v,
  layout: layout(section),
});

/** Malformed JSON and non-objects, which every body route refuses. */
export const anyBodyCases = (route: BodyRouteKey): BodyCase[] => [
  { route, kind: 'malformed JSON', mutate: { raw: () => '{"email":' } },
  { route, kind: 'a JSON array', mutate: { raw: () => '[]' } },
  { route, kind: 'JSON null', mutate: { raw: () => 'null' } },
  {
    route,
    kind: 'an unknown field',
    mutate: { body: (v) => ({ ...v, isAdmin: true }), fields: ['isAdmin'] },
  },
  {
    route,
    kind: 'a prototype-poisoning key',
    mutate: { raw: (v) => `{"__proto__":{"role":"admin"},${JSON.stringify(v).slice(1)}` },
  },
];

/** Holds and one-step purchases: seatIds (1 to 10 distinct uuids) or quantity (1 to 10), never both. */
export function seatSelectionCases(route: 'hold' | 'buyNow'): BodyCase[] {
  const seatIds = (v: Record<string, unknown>) => v.seatIds as string[];
  const select = (v: Record<string, unknown>, selection: Record<string, unknown>) => ({
    ...omit(v, 'seatIds'),
    ...selection,
  });
  const cases: [string, (v: Record<string, unknown>) => unknown, string[]][] = [
    ['seatIds as a string', (v) => ({ ...v, seatIds: seatIds(v)[0] }), ['seatIds']],
    ['seatIds null', (v) => ({ ...v, seatIds: null }), ['seatIds']],
    ['seatIds of numbers', (v) => ({ ...v, seatIds: [1, 2] }), ['seatIds']],
    ['a seat id that is not a uuid', (v) => ({ ...v, seatIds: [seatIds(v)[0], 'A1'] }), ['seatIds']],
    ['a urn:uuid: seat id', (v) => ({ ...v, seatIds: [`urn:uuid:${seatIds(v)[0]}`] }), ['seatIds']],
    ['the same seat id twice', (v) => ({ ...v, seatIds: [seatIds(v)[0], seatIds(v)[0]] }), ['seatIds']],
    ['an empty seatIds', (v) => ({ ...v, seatIds: [] }), ['seatIds']],
    ['11 seat ids', (v) => ({ ...v, seatIds: Array.from({ length: 11 }, () => randomUUID()) }), ['seatIds']],
    ['quantity 0', (v) => select(v, { quantity: 0 }), ['quantity']],
    ['quantity 11', (v) => select(v, { quantity: 11 }), ['quantity']],
    ['quantity -1', (v) => select(v, { quantity: -1 }), ['quantity']],
    ['quantity "2" as a string', (v) => select(v, { quantity: '2' }), ['quantity']],
    ['quantity 1.5', (v) => select(v, { quantity: 1.5 }), ['quantity']],
    ['quantity null', (v) => select(v, { quantity: null }), ['quantity']],
    ['both seatIds and quantity', (v) => ({ ...v, quantity: 1 }), ['seatIds', 'quantity']],
    ['neither seatIds nor quantity', (v) => omit(v, 'seatIds'), ['seatIds', 'quantity']],
  ];
  return cases.map(([kind, body, fields]) => ({ route, kind, mutate: { body, fields } }));
}

/** Purchases: payment is {method: 'test', card: 12 to 19 digits}, required, nothing else. */
export function paymentCases(route: 'orderHold' | 'buyNow'): BodyCase[] {
  const pay = (v: Record<string, unknown>, payment: unknown) => ({ ...v, payment });
  const cases: [string, (v: Record<string, unknown>) => unknown, string[]][] = [
    ['no payment', (v) => omit(v, 'payment'), ['payment']],
    ['payment null', (v) => pay(v, null), ['payment']],
    ['payment as a string', (v) => pay(v, 'test'), ['payment']],
    ['payment method "card"', (v) => pay(v, { ...GOOD_CARD, method: 'card' }), ['method']],
    ['payment method "TEST"', (v) => pay(v, { ...GOOD_CARD, method: 'TEST' }), ['method']],
    ['no payment method', (v) => pay(v, { card: GOOD_CARD.card }), ['method']],
    ['no card', (v) => pay(v, { method: 'test' }), ['card']],
    ['a card with letters', (v) => pay(v, { ...GOOD_CARD, card: '4242abcd42424242' }), ['card']],
    ['a card with spaces', (v) => pay(v, { ...GOOD_CARD, card: '4242 4242 4242 4242' }), ['card']],
    ['a card as a number', (v) => pay(v, { ...GOOD_CARD, card: 4242424242424242 }), ['card']],
    ['an 11-digit card', (v) => pay(v, { ...GOOD_CARD, card: '42424242424' }), ['card']],
    ['a 20-digit card', (v) => pay(v, { ...GOOD_CARD, card: '42424242424242424242' }), ['card']],
    ['an unknown payment field', (v) => pay(v, { ...GOOD_CARD, cvv: '123' }), ['cvv']],
  ];
  return cases.map(([kind, body, fields]) => ({ route, kind, mutate: { body, fields } }));
}
