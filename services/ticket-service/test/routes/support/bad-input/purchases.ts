// What holds and one-step purchases share: the Idempotency-Key a purchase must carry,
// and seat selections that pass the schema but name seats the event does not have.
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { API, app, customer } from './app.ts';
import { omit } from './body-cases.ts';
import { BODY_ROUTES, type BodyRoute, requestHeaders } from './body-routes.ts';
import { expectProblem, namedFields } from './problem.ts';
import { headersFor, purchaseState, purchasesOf, type Subject, subjectFor } from './subjects.ts';

const BAD_KEYS: [string, string | string[] | undefined][] = [
  ['no Idempotency-Key', undefined],
  ['an empty Idempotency-Key', ''],
  ['a 256-character Idempotency-Key', 'k'.repeat(256)],
  ['an Idempotency-Key with a space', 'my key'],
  ['a non-ASCII Idempotency-Key', 'clé-1'],
  ['two Idempotency-Key headers', ['key-one', 'key-two']],
];

/** Defines the Idempotency-Key tests of a purchase route. */
export function itRefusesBadIdempotencyKeys(routeKey: 'orderHold' | 'buyNow'): void {
  const route: BodyRoute = BODY_ROUTES[routeKey];
  it.each(BAD_KEYS.map(([what, key]) => ({ ...route, what, key })))(
    'when $name has $what, then 400 VALIDATION_FAILED naming it and nothing is bought',
    async ({ what: _what, key, ...route }) => {
      const subject = await subjectFor(route);
      const before = await route.snapshot(subject);
      const res = await app.inject({
        method: route.method,
        url: `${API}${route.url(subject)}`,
        headers: {
          ...headersFor(route.caller, subject),
          ...(key === undefined ? {} : { 'idempotency-key': key }),
        },
        payload: route.valid(subject),
      });
      const body = expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(namedFields(body)).toContain('idempotency-key');
      expect(await route.snapshot(subject)).toEqual(before);
    },
  );

  it.each([route])(
    'when $name has a 255-character Idempotency-Key, then it is accepted (the bound is inclusive)',
    async (route) => {
      const subject = await subjectFor(route);
      const res = await app.inject({
        method: route.method,
        url: `${API}${route.url(subject)}`,
        headers: { ...headersFor(route.caller, subject), 'idempotency-key': subject.marker.padEnd(255, '~') },
        payload: route.valid(subject),
      });
      expect(res.statusCode, res.body).toBe(201);
    },
  );
}

/** Sends a hold or one-step purchase for `subject`'s event with these seat ids. */
export function selectSeats(route: BodyRoute, subject: Subject, seatIds: string[]) {
  return app.inject({
    method: 'POST',
    url: `${API}${route.url(subject)}`,
    headers: requestHeaders(route, subject),
    payload: { ...route.valid(subject), seatIds },
  });
}

/** Defines the tests of seat selections that pass the schema but name the wrong seats or event. */
export function itRefusesWrongSeats(routeKey: 'hold' | 'buyNow'): void {
  const selecting: BodyRoute[] = [BODY_ROUTES[routeKey]];

  it.each(selecting)(
    "when $name names another event's seat, then 400 VALIDATION_FAILED naming seatIds and neither event changes",
    async (route) => {
      const subject = await subjectFor(route);
      const other = await subjectFor(route);
      const before = [await purchaseState(subject), await purchaseState(other)];
      const res = await selectSeats(route, subject, [subject.seats[5] as string, other.seats[0] as string]);
      const body = expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(body.errors)).toContain('seatIds');
      expect(JSON.stringify(body.errors)).toContain(other.seats[0]);
      expect([await purchaseState(subject), await purchaseState(other)]).toEqual(before);
    },
  );

  it.each(selecting)(
    'when $name names a seat id that exists nowhere, then 400 VALIDATION_FAILED and nothing changes',
    async (route) => {
      const subject = await subjectFor(route);
      const before = await purchaseState(subject);
      const res = await selectSeats(route, subject, [randomUUID()]);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(await purchaseState(subject)).toEqual(before);
    },
  );

  // Seat ids are uuids, and uuids are case-insensitive: the schema's uniqueItems compares
  // strings, so a seat named twice in different case must still be refused as a duplicate.
  it.each(selecting)(
    'when $name names one seat twice in different letter case, then 400 VALIDATION_FAILED like any duplicate',
    async (route) => {
      const subject = await subjectFor(route);
      const before = await purchaseState(subject);
      const seat = subject.seats[6] as string;
      const res = await selectSeats(route, subject, [seat, seat.toUpperCase()]);
      expect(res.statusCode).toBeLessThan(500);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(await purchaseState(subject)).toEqual(before);
    },
  );

  it.each(selecting)(
    'when $name is for an event that does not exist, then 404 NOT_FOUND and no key is kept',
    async (route) => {
      const subject = await subjectFor(route);
      const before = await purchasesOf(customer);
      const res = await app.inject({
        method: 'POST',
        url: `${API}${route.url({ ...subject, event: { id: randomUUID() } })}`,
        headers: requestHeaders(route, subject),
        payload: { quantity: 1, ...omit(route.valid(subject), 'seatIds') },
      });
      expectProblem(res, 404, 'NOT_FOUND');
      expect(await purchasesOf(customer)).toEqual(before);
    },
  );
}
