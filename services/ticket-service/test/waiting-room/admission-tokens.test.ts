// Admission tokens (src/domain/waiting-room/admission-token.ts): holds and one-step orders
// of an event with a waiting room need the admitted customer's own, unexpired token.
import { createHmac } from 'node:crypto';
import { buildTestApp, createEvent } from '@tickets/testkit/app';
import { orderHold, seatsOf } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import type { Buyer } from '../support/buyers.ts';
import {
  a,
  admin,
  b,
  buyers,
  buyNow,
  clock,
  expectRefused,
  hold,
  join,
  now,
  roomEvent,
  stateOf,
  useTwoReplicas,
} from './support.ts';

useTwoReplicas();

describe('admission tokens', () => {
  it('when holds and one-step orders come with the admitted customer’s token, then they go through; hold orders need none', async () => {
    clock.ms = Date.now();
    const event = await roomEvent(600, null);
    const [customer] = (await buyers(1)) as [Buyer];
    const admitted = await join(a, customer, event.id);
    expect(admitted.state).toBe('admitted');
    expect(Date.parse(admitted.expiresAt as string)).toBe(clock.ms + a.config.admissionTtlSeconds * 1000);
    const held = await hold(b, customer, event.id, admitted.admissionToken);
    expect(held.statusCode, held.body).toBe(201);
    const ordered = await orderHold(a, { ...customer, password: '' }, held.json().id);
    expect(ordered.statusCode, ordered.body).toBe(201);
    const bought = await buyNow(a, customer, event.id, admitted.admissionToken);
    expect(bought.statusCode, bought.body).toBe(201);
  });

  it('when the token is missing, forged, expired, someone else’s or another event’s, then 403 ADMISSION_REQUIRED and nothing changes', async () => {
    clock.ms = Date.now();
    const [event, otherEvent] = [await roomEvent(600, null), await roomEvent(600, null)];
    const [customer, other] = (await buyers(2)) as [Buyer, Buyer];
    const own = (await join(a, customer, event.id)).admissionToken as string;
    await join(a, other, event.id);
    const otherEventsToken = (await join(a, customer, otherEvent.id)).admissionToken as string;
    clock.ms += 1000; // the second in line is admitted 0.1 s after the first
    const othersToken = (await stateOf(b, other, event.id)).admissionToken as string;
    expect([own, othersToken, otherEventsToken].every(Boolean)).toBe(true);
    const [, expiresAt, signature] = own.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    const wrongKey = createHmac('sha256', a.config.jwtSecret)
      .update(`admission:v1:${event.id}:${customer.id}:${expiresAt}`)
      .digest('base64url');
    const cases: [string, string | undefined, string][] = [
      ['missing', undefined, 'missing'],
      ['empty', '', 'missing'],
      ['garbage', 'let me in', 'invalid'],
      ['a flipped signature', `v1.${expiresAt}.${flipped}`, 'invalid'],
      ['a later expiry', `v1.${Number(expiresAt) + 3_600_000}.${signature}`, 'invalid'],
      ['signed with the JWT secret itself', `v1.${expiresAt}.${wrongKey}`, 'invalid'],
      ["someone else's", othersToken, 'invalid'],
      ["another event's", otherEventsToken, 'invalid'],
    ];
    const seatsBefore = await seatsOf(a, event.id);
    for (const [what, token, reason] of cases) {
      for (const app of [a, b]) {
        const body = expectRefused(await hold(app, customer, event.id, token), 403, 'ADMISSION_REQUIRED');
        expect(body.reason, what).toBe(reason);
        expectRefused(await buyNow(app, customer, event.id, token), 403, 'ADMISSION_REQUIRED');
      }
    }
    // The own token still works; once the admission runs out it does not.
    clock.ms = Number(expiresAt);
    const late = expectRefused(await hold(b, customer, event.id, own), 403, 'ADMISSION_REQUIRED');
    expect(late.reason).toBe('expired');
    expectRefused(await buyNow(a, customer, event.id, own), 403, 'ADMISSION_REQUIRED');
    expect((await seatsOf(a, event.id)).seats).toEqual(seatsBefore.seats);
    expect(await a.db.order.count({ where: { eventId: event.id } })).toBe(0);
  });

  it('when an event has no waiting room, then holds and orders need no token and ignore one', async () => {
    const event = await createEvent(a, admin);
    const [customer] = (await buyers(1)) as [Buyer];
    expect((await hold(a, customer, event.id)).statusCode).toBe(201);
    expect((await buyNow(b, customer, event.id)).statusCode).toBe(201);
    expect((await hold(b, customer, event.id, 'anything at all')).statusCode).toBe(201);
  });

  it('when a replica answers a refusal from its copy of the settings, then the check costs no statement', async () => {
    // An app of its own: nothing else runs on it while statements are counted.
    const quiet = await buildTestApp({ replicaId: 'wr-quiet' }, { now });
    try {
      const event = await roomEvent(10, null, quiet);
      const [customer] = (await buyers(1)) as [Buyer];
      await hold(quiet, customer, event.id); // the buyer's auth row is cached from here on
      const statements = async () => (await quiet.metrics.dbStatements.get()).values[0]?.value ?? 0;
      const before = await statements();
      expectRefused(await hold(quiet, customer, event.id), 403, 'ADMISSION_REQUIRED');
      expectRefused(await buyNow(quiet, customer, event.id), 403, 'ADMISSION_REQUIRED');
      expect(await statements()).toBe(before);
    } finally {
      await quiet.close();
    }
  });
});
