// What the rows prepare, made by the owner: every row gets its own event, and its own
// hold, order, image or webhook endpoint, so that a refused request can be shown to
// have changed nothing.
import { randomUUID } from 'node:crypto';
import { bearer, createEvent, signup, type TestUser } from '@tickets/testkit/app';
import { GOOD_CARD, hold } from '@tickets/testkit/purchase';
import type { LightMyRequestResponse } from 'fastify';
import sharp from 'sharp';
import { expect } from 'vitest';
import { API_PREFIX } from '../../../support/routes.ts';
import { app, owner, WEBHOOK_TARGET } from './app.ts';

export const PASSWORD = 'a password long enough';

/** The buyer a row acts for: the caller, or (for an anonymous caller) a customer of its own. */
export async function buyerFor(caller: TestUser | null): Promise<TestUser> {
  return caller ?? signup(app, 'authz-buyer');
}

/** The caller, who is not anonymous when a request was allowed. */
export function signedIn(caller: TestUser | null): TestUser {
  if (!caller) throw new Error('an allowed purchase needs a caller');
  return caller;
}

/** A fresh event with an active hold of two seats belonging to `buyer`. */
export async function heldBy(buyer: TestUser) {
  const event = await createEvent(app, owner);
  const res = await hold(app, buyer, event.id, { quantity: 2 });
  if (res.statusCode !== 201) throw new Error(`hold failed: ${res.statusCode} ${res.body}`);
  return { event, holdId: res.json().id as string };
}

/** A fresh event with a confirmed order of one seat belonging to `buyer`. */
export async function orderedBy(buyer: TestUser) {
  const event = await createEvent(app, owner);
  const res = await app.inject({
    method: 'POST',
    url: `${API_PREFIX}/events/${event.id}/orders`,
    headers: { ...bearer(buyer), 'idempotency-key': randomUUID() },
    payload: { quantity: 1, payment: GOOD_CARD },
  });
  if (res.statusCode !== 201) throw new Error(`order failed: ${res.statusCode} ${res.body}`);
  return { event, orderId: res.json().id as string };
}

/** Everything a purchase can change for one event, straight from the database. */
async function purchaseState(eventId: string) {
  const db = app.db;
  const [seats, holds, orders, tickets] = await Promise.all([
    db.seat.findMany({
      where: { eventId },
      select: { id: true, status: true, holdId: true, orderId: true },
      orderBy: { id: 'asc' },
    }),
    db.hold.findMany({ where: { eventId }, select: { id: true, status: true }, orderBy: { id: 'asc' } }),
    db.order.count({ where: { eventId } }),
    db.ticket.count({ where: { eventId } }),
  ]);
  return { seats, holds, orders, tickets };
}

/** Snapshots an event's purchase state now; the returned check throws if it changed since. */
export async function unchangedSince(eventId: string) {
  const before = await purchaseState(eventId);
  return async () => expect(await purchaseState(eventId)).toEqual(before);
}

/** A small PNG, as an admin's upload would be. */
export const png = () =>
  sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 60, b: 40 } } })
    .png()
    .toBuffer();

/** A fresh event with an image. */
export async function withImage() {
  const event = await createEvent(app, owner);
  const res = await app.inject({
    method: 'PUT',
    url: `${API_PREFIX}/admin/events/${event.id}/image`,
    headers: { ...bearer(owner), 'content-type': 'image/png' },
    payload: await png(),
  });
  if (res.statusCode !== 200) throw new Error(`image upload failed: ${res.statusCode} ${res.body}`);
  return { event, imageUrl: res.json().imageUrl as string };
}

/** An event's image as the database has it: the event's hash and the stored image's. */
export async function imageState(eventId: string) {
  const [event, image] = await Promise.all([
    app.db.event.findUniqueOrThrow({ where: { id: eventId }, select: { imageHash: true } }),
    app.db.eventImage.findUnique({ where: { eventId }, select: { hash: true } }),
  ]);
  return { eventHash: event.imageHash, imageHash: image?.hash ?? null };
}

/** The event as the public API shows it. */
export async function publicEvent(eventId: string) {
  return (await app.inject({ method: 'GET', url: `${API_PREFIX}/events/${eventId}` })).json();
}

/** A webhook endpoint of its own (a unique URL), registered by the owner. */
export async function webhook() {
  const res = await app.inject({
    method: 'POST',
    url: `${API_PREFIX}/admin/webhooks`,
    headers: bearer(owner),
    payload: { url: `${WEBHOOK_TARGET}${randomUUID()}`, events: ['event.sold_out'] },
  });
  if (res.statusCode !== 201) throw new Error(`webhook not registered: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** Another buyer's hold or order is not theirs to see: 404, as if it did not exist. */
export function expectNotFound(res: LightMyRequestResponse) {
  expect(res.statusCode, res.body).toBe(404);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });
}
