// Bad input on the admin event routes (src/routes/admin/events.ts): always a 4xx
// problem+json with a stable code, never a 5xx, a stack trace or a change to the data.
import { randomUUID } from 'node:crypto';
import { bearer } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { API, admin, app, useBadInputApp } from '../support/bad-input/app.ts';
import { itRefusesBadBodies, itRefusesNulCharacters } from '../support/bad-input/bodies.ts';
import { type BodyCase, bodyCase, omit, withLayout } from '../support/bad-input/body-cases.ts';
import { BODY_ROUTES, layout } from '../support/bad-input/body-routes.ts';
import { itRefusesBadIds } from '../support/bad-input/params.ts';
import type { Subject } from '../support/bad-input/subjects.ts';

useBadInputApp();

type Mutate = (v: Record<string, unknown>) => unknown;
const create = (kind: string, body: Mutate, fields?: string[]) => bodyCase('createEvent', kind, body, fields);
const patch = (kind: string, body: Mutate, fields?: string[]) => bodyCase('patchEvent', kind, body, fields);

const CASES: BodyCase[] = [
  // wrong types: strings for numbers (never coerced in bodies), numbers for strings
  create('priceCents "10" as a string', (v) => withLayout(v, { priceCents: '10' }), ['priceCents']),
  create('rows "10" as a string', (v) => withLayout(v, { rows: '10' }), ['rows']),
  create('seatsPerRow 2.5', (v) => withLayout(v, { seatsPerRow: 2.5 }), ['seatsPerRow']),
  create('a number for title', (v) => ({ ...v, title: 42 }), ['title']),
  create('a number for startsAt', (v) => ({ ...v, startsAt: Date.now() }), ['startsAt']),
  create('an object for sections', (v) => ({ ...v, layout: { sections: {} } }), ['sections']),
  patch('a boolean for status', () => ({ status: true }), ['status']),
  // unknown nested fields
  create('an unknown section field', (v) => withLayout(v, { color: 'red' }), ['color']),
  create('an unknown layout field', (v) => ({ ...v, layout: { ...layout(), map: 'x' } }), ['map']),
  // missing required fields
  create('no venue', (v) => omit(v, 'venue'), ['venue']),
  create('no layout', (v) => omit(v, 'layout'), ['layout']),
  // Every field of a PATCH is optional; at least one is needed.
  patch('an empty object', () => ({})),
  patch('a waiting room without a rate', () => ({ waitingRoom: { enabled: true } }), ['admitPerMinute']),
  patch('a rate of 0 a minute', () => ({ waitingRoom: { enabled: true, admitPerMinute: 0 } }), [
    'admitPerMinute',
  ]),
  patch('a salesStartAt that is not a date-time', () => ({ salesStartAt: 'next friday' }), ['salesStartAt']),
  // out-of-range and malformed values
  create('rows 0', (v) => withLayout(v, { rows: 0 }), ['rows']),
  create('seatsPerRow 501', (v) => withLayout(v, { seatsPerRow: 501 }), ['seatsPerRow']),
  create('priceCents -1', (v) => withLayout(v, { priceCents: -1 }), ['priceCents']),
  create('priceCents above 100,000,000', (v) => withLayout(v, { priceCents: 100_000_001 }), ['priceCents']),
  create('no sections', (v) => ({ ...v, layout: { sections: [] } }), ['sections']),
  create('a lowercase currency', (v) => ({ ...v, currency: 'eur' }), ['currency']),
  create('startsAt "tomorrow"', (v) => ({ ...v, startsAt: 'tomorrow' }), ['startsAt']),
  create('startsAt on February 30th', (v) => ({ ...v, startsAt: '2031-02-30T10:00:00Z' }), ['startsAt']),
  create('startsAt without a time zone', (v) => ({ ...v, startsAt: '2031-03-01T10:00:00' }), ['startsAt']),
  create('an empty title', (v) => ({ ...v, title: '' }), ['title']),
  create('a blank section name', (v) => withLayout(v, { name: '   ' })),
  create('over 100,000 seats', (v) => ({
    ...v,
    layout: {
      sections: [1, 2].map((i) => ({ name: `S${i}`, rows: 500, seatsPerRow: 101, priceCents: 1 })),
    },
  })),
  patch('an unknown status', () => ({ status: 'open' }), ['status']),
];

describe('bad request bodies', () => {
  itRefusesBadBodies(['createEvent', 'patchEvent'], CASES);
});

describe('bad path parameters', () => {
  itRefusesBadIds([
    {
      name: 'PATCH /admin/events/:eventId',
      method: 'PATCH',
      url: (id) => `/admin/events/${id}`,
      param: 'eventId',
      caller: 'admin',
      payload: { status: 'closed' },
    },
    {
      name: 'GET /admin/events/:eventId/orders',
      method: 'GET',
      url: (id) => `/admin/events/${id}/orders`,
      param: 'eventId',
      caller: 'admin',
    },
  ]);
});

describe('values that pass the schema but not the database', () => {
  itRefusesNulCharacters([
    [
      'POST /admin/events',
      '/admin/events',
      (m: string) => ({ ...BODY_ROUTES.createEvent.valid({ marker: m } as Subject), title: `\u0000${m}` }),
    ],
  ]);

  // Regression, fixed (src/domain/events/create-event.ts: `new Date(input.startsAt)`): "date-time" in ajv-formats
  // accepts a leap second (23:59:60Z), which JavaScript turns into an Invalid Date, and the year 0000,
  // which Postgres rejects; both make POST /admin/events answer 500 INTERNAL.
  it.each([
    ['a leap second', '2031-06-30T23:59:60Z'],
    ['the year 0000', '0000-01-01T00:00:00Z'],
  ])('when POST /admin/events gets startsAt at %s, then a 4xx, not 500', async (_what, startsAt) => {
    const body = {
      ...BODY_ROUTES.createEvent.valid({ marker: `leap${randomUUID().slice(0, 8)}` } as Subject),
      startsAt,
    };
    const res = await app.inject({
      method: 'POST',
      url: `${API}/admin/events`,
      headers: bearer(admin),
      payload: body,
    });
    expect(res.statusCode).toBeLessThan(500);
  });
});
