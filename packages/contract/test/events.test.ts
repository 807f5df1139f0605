import { describe, expect, it } from 'vitest';
import { CreateEventBody, EventListQuery, PatchEventBody } from '../src/events.ts';
import {
  ADMIT_PER_MINUTE,
  MAX_LENGTH,
  MAX_SECTIONS,
  PAGE_SIZE,
  SECTION,
  TICKETS_PER_CUSTOMER,
} from '../src/limits.ts';
import { accepts, keyword, text } from './examples.ts';

const section = (i = 0) => ({ name: `Section ${i}`, rows: 2, seatsPerRow: 3, priceCents: 4500 });
const event = (changes: Record<string, unknown> = {}) => ({
  title: 'Concert',
  venue: 'Hall',
  startsAt: '2030-01-01T20:00:00Z',
  currency: 'EUR',
  layout: { sections: [section()] },
  ...changes,
});
const withSection = (changes: Record<string, unknown>) =>
  event({ layout: { sections: [{ ...section(), ...changes }] } });

describe('creating an event', () => {
  it('when the example event is sent, then it is accepted (the probes below change one thing each)', () => {
    expect(accepts(CreateEventBody, event())).toBe(true);
  });

  it('when the layout has 1 to MAX_SECTIONS sections, then it is accepted, and more or none are refused', () => {
    const sections = (n: number) => ({
      layout: { sections: Array.from({ length: n }, (_, i) => section(i)) },
    });
    expect(accepts(CreateEventBody, event(sections(MAX_SECTIONS)))).toBe(true);
    expect(accepts(CreateEventBody, event(sections(MAX_SECTIONS + 1)))).toBe(false);
    expect(accepts(CreateEventBody, event(sections(0)))).toBe(false);
  });

  it.each([
    ['rows', SECTION.maxRows],
    ['seatsPerRow', SECTION.maxSeatsPerRow],
  ])(
    'when a section has 1 to the most %s, then it is accepted, and 0 or one more is refused',
    (field, most) => {
      expect(accepts(CreateEventBody, withSection({ [field]: most }))).toBe(true);
      expect(accepts(CreateEventBody, withSection({ [field]: most + 1 }))).toBe(false);
      expect(accepts(CreateEventBody, withSection({ [field]: 0 }))).toBe(false);
    },
  );

  it('when a price is 0 to SECTION.maxPriceCents, then it is accepted, and negative or higher is refused', () => {
    expect(accepts(CreateEventBody, withSection({ priceCents: 0 }))).toBe(true);
    expect(accepts(CreateEventBody, withSection({ priceCents: SECTION.maxPriceCents }))).toBe(true);
    expect(accepts(CreateEventBody, withSection({ priceCents: SECTION.maxPriceCents + 1 }))).toBe(false);
    expect(accepts(CreateEventBody, withSection({ priceCents: -1 }))).toBe(false);
  });

  it.each([
    ['title', MAX_LENGTH.eventTitle],
    ['venue', MAX_LENGTH.venue],
    ['description', MAX_LENGTH.description],
  ])(
    'when the %s is as long as allowed, then it is accepted, and one character more is refused',
    (field, most) => {
      expect(accepts(CreateEventBody, event({ [field]: text(most) }))).toBe(true);
      expect(accepts(CreateEventBody, event({ [field]: text(most + 1) }))).toBe(false);
    },
  );

  it('when a section name is as long as allowed, then it is accepted, and longer or blank is refused', () => {
    expect(accepts(CreateEventBody, withSection({ name: text(MAX_LENGTH.sectionName) }))).toBe(true);
    expect(accepts(CreateEventBody, withSection({ name: text(MAX_LENGTH.sectionName + 1) }))).toBe(false);
    expect(accepts(CreateEventBody, withSection({ name: '   ' }))).toBe(false);
  });

  it('when maxTicketsPerCustomer is within TICKETS_PER_CUSTOMER, then it is accepted, on create and on PATCH', () => {
    for (const body of [CreateEventBody, PatchEventBody]) {
      const probe = (n: number) =>
        accepts(
          body,
          body === CreateEventBody ? event({ maxTicketsPerCustomer: n }) : { maxTicketsPerCustomer: n },
        );
      expect(probe(TICKETS_PER_CUSTOMER.min)).toBe(true);
      expect(probe(TICKETS_PER_CUSTOMER.max)).toBe(true);
      expect(probe(TICKETS_PER_CUSTOMER.min - 1)).toBe(false);
      expect(probe(TICKETS_PER_CUSTOMER.max + 1)).toBe(false);
    }
    const limit = CreateEventBody.properties.maxTicketsPerCustomer;
    expect(['default', 'minimum', 'maximum'].map((k) => keyword(limit, k))).toEqual([
      TICKETS_PER_CUSTOMER.default,
      TICKETS_PER_CUSTOMER.min,
      TICKETS_PER_CUSTOMER.max,
    ]);
  });

  it('when a waiting room admits ADMIT_PER_MINUTE.min to .max a minute, then it is accepted, and beyond is refused', () => {
    const room = (admitPerMinute: number) => event({ waitingRoom: { enabled: true, admitPerMinute } });
    expect(accepts(CreateEventBody, room(ADMIT_PER_MINUTE.min))).toBe(true);
    expect(accepts(CreateEventBody, room(ADMIT_PER_MINUTE.max))).toBe(true);
    expect(accepts(CreateEventBody, room(ADMIT_PER_MINUTE.min - 1))).toBe(false);
    expect(accepts(CreateEventBody, room(ADMIT_PER_MINUTE.max + 1))).toBe(false);
  });

  it('when the currency is not three capital letters, then it is refused', () => {
    expect(accepts(CreateEventBody, event({ currency: 'eur' }))).toBe(false);
    expect(accepts(CreateEventBody, event({ currency: 'EURO' }))).toBe(false);
  });
});

describe('changing an event', () => {
  it('when a PATCH changes nothing, then it is refused', () => {
    expect(accepts(PatchEventBody, {})).toBe(false);
    expect(accepts(PatchEventBody, { status: 'closed' })).toBe(true);
  });
});

describe('the event list', () => {
  it('when a page of 1 to PAGE_SIZE.events.max is asked, then it is accepted, and more is refused', () => {
    expect(accepts(EventListQuery, { limit: PAGE_SIZE.events.max })).toBe(true);
    expect(accepts(EventListQuery, { limit: PAGE_SIZE.events.max + 1 })).toBe(false);
    expect(accepts(EventListQuery, { limit: 0 })).toBe(false);
    expect(keyword(EventListQuery.properties.limit, 'default')).toBe(PAGE_SIZE.events.default);
  });

  it('when the cursor is longer than MAX_LENGTH.cursor, then it is refused', () => {
    expect(accepts(EventListQuery, { cursor: text(MAX_LENGTH.cursor) })).toBe(true);
    expect(accepts(EventListQuery, { cursor: text(MAX_LENGTH.cursor + 1) })).toBe(false);
  });
});
