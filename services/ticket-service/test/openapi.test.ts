// The generated OpenAPI document: valid OpenAPI 3.1, the same routes as the running app
// and as API.md, each with its request and response schemas; and real answers match it.

import { randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { bearer, createAdmin, createEvent, signup, type TestUser, uniqueEmail } from '@tickets/testkit/app';
import { DECLINED_CARD, GOOD_CARD, seatsOf } from '@tickets/testkit/purchase';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_PREFIX,
  apiRoutes,
  buildAppWithRoutes,
  documentedRoutes,
  HTTP_METHODS,
  listenLocally,
  openStream,
  type RegisteredRoute,
} from './support/routes.ts';

interface Schema {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  format?: string;
  [key: string]: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  security?: Record<string, string[]>[];
}
interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, unknown> };
}

interface Spec {
  success: number;
  /** Other 2xx answers the route gives (e.g. 200 for an idempotent replay). */
  alsoSuccess?: number[];
  /** Answers 304 (no body) when If-None-Match names the current ETag. */
  notModified?: boolean;
  /** The success media type, when it is not application/json. */
  media?: string;
  /** Required body fields; a list of lists for a body that is one of several shapes. */
  body?: string[] | string[][];
  /** A raw (not JSON) request body: the media types it may have. */
  rawBody?: string[];
  path?: string[];
  query?: string[];
  /** Required request headers. */
  header?: string[];
  /** Optional request headers (Admission-Token: needed only on events with a waiting room). */
  optionalHeader?: string[];
  errors: number[];
  auth: boolean;
}

/** The implemented routes of API.md (relative to /api/v1) and what each must document. */
const CONTRACT: Record<string, Spec> = {
  'POST /auth/signup': {
    success: 201,
    body: ['email', 'password', 'name'],
    errors: [400, 409, 413, 429],
    auth: false,
  },
  'POST /auth/login': {
    success: 200,
    body: ['email', 'password'],
    errors: [400, 401, 413, 429],
    auth: false,
  },
  'GET /me': { success: 200, errors: [401], auth: true },
  'POST /me/password': {
    success: 204,
    body: ['currentPassword', 'newPassword'],
    errors: [400, 401, 413, 429],
    auth: true,
  },
  'GET /events': { success: 200, query: ['limit', 'cursor'], errors: [400], auth: false },
  'GET /events/:eventId': { success: 200, path: ['eventId'], errors: [400, 404], auth: false },
  'GET /events/:eventId/seats': {
    success: 200,
    notModified: true,
    path: ['eventId'],
    errors: [400, 404],
    auth: false,
  },
  'POST /admin/events': {
    success: 201,
    body: ['title', 'venue', 'startsAt', 'currency', 'layout'],
    errors: [400, 401, 403, 413],
    auth: true,
  },
  'PATCH /admin/events/:eventId': {
    success: 200,
    // status, salesStartAt, waitingRoom: any of them, at least one.
    body: [],
    path: ['eventId'],
    errors: [400, 401, 403, 404, 413],
    auth: true,
  },
  'GET /admin/events': { success: 200, errors: [401, 403], auth: true },
  'PUT /admin/events/:eventId/image': {
    success: 200,
    rawBody: ['image/jpeg', 'image/png', 'image/webp'],
    path: ['eventId'],
    errors: [400, 401, 403, 404, 413, 415],
    auth: true,
  },
  'DELETE /admin/events/:eventId/image': {
    success: 204,
    path: ['eventId'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
  'GET /events/:eventId/image': {
    success: 200,
    notModified: true,
    media: 'image/webp',
    path: ['eventId'],
    query: ['v'],
    errors: [400, 404],
    auth: false,
  },
  'GET /admin/events/:eventId/orders.csv': {
    success: 200,
    media: 'text/csv',
    path: ['eventId'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
  'GET /admin/events/:eventId/orders': {
    success: 200,
    path: ['eventId'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
  'POST /admin/events/:eventId/check-in': {
    success: 200,
    body: ['code'],
    path: ['eventId'],
    errors: [400, 401, 403, 404, 409, 413],
    auth: true,
  },
  'POST /admin/orders/:orderId/cancel': {
    success: 200,
    path: ['orderId'],
    errors: [400, 401, 403, 404, 409, 503],
    auth: true,
  },
  'POST /admin/webhooks': {
    success: 201,
    body: ['url', 'events'],
    errors: [400, 401, 403, 413],
    auth: true,
  },
  'GET /admin/webhooks': { success: 200, errors: [401, 403], auth: true },
  'DELETE /admin/webhooks/:webhookId': {
    success: 204,
    path: ['webhookId'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
  'GET /admin/webhooks/:webhookId/deliveries': {
    success: 200,
    path: ['webhookId'],
    query: ['limit'],
    errors: [400, 401, 403, 404],
    auth: true,
  },
  'GET /admin/audit': { success: 200, query: ['limit', 'before'], errors: [400, 401, 403], auth: true },
  'POST /admin/users': {
    success: 201,
    body: ['email', 'password', 'name', 'role'],
    errors: [400, 401, 403, 409, 413],
    auth: true,
  },
  'GET /events/:eventId/stream': {
    success: 200,
    media: 'text/event-stream',
    path: ['eventId'],
    errors: [400, 404, 503],
    auth: false,
  },
  'POST /events/:eventId/holds': {
    success: 201,
    body: [['seatIds'], ['quantity']],
    path: ['eventId'],
    optionalHeader: ['admission-token'],
    errors: [400, 401, 403, 404, 409, 413, 429],
    auth: true,
  },
  'GET /holds/:holdId': { success: 200, path: ['holdId'], errors: [400, 401, 404], auth: true },
  'DELETE /holds/:holdId': { success: 204, path: ['holdId'], errors: [400, 401, 404, 409], auth: true },
  'POST /holds/:holdId/order': {
    success: 201,
    alsoSuccess: [200],
    body: ['payment'],
    path: ['holdId'],
    header: ['idempotency-key'],
    errors: [400, 401, 402, 404, 409, 413, 429, 503],
    auth: true,
  },
  'POST /events/:eventId/orders': {
    success: 201,
    alsoSuccess: [200],
    body: [
      ['seatIds', 'payment'],
      ['quantity', 'payment'],
    ],
    path: ['eventId'],
    header: ['idempotency-key'],
    optionalHeader: ['admission-token'],
    errors: [400, 401, 402, 403, 404, 409, 413, 429, 503],
    auth: true,
  },
  'GET /orders': { success: 200, errors: [401], auth: true },
  'POST /events/:eventId/queue': { success: 200, path: ['eventId'], errors: [400, 401, 404], auth: true },
  'GET /events/:eventId/queue': { success: 200, path: ['eventId'], errors: [400, 401, 404], auth: true },
  'GET /orders/:orderId': { success: 200, path: ['orderId'], errors: [400, 401, 404], auth: true },
};

const PROBLEM_FIELDS = ['type', 'title', 'status', 'detail', 'code'];

let app: FastifyInstance;
let routes: RegisteredRoute[];
let doc: Doc;

beforeAll(async () => {
  ({ app, routes } = await buildAppWithRoutes());
  const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await app?.close();
});

/** "GET /events/:eventId" → the document's operation for it. */
function operation(route: string): Operation | undefined {
  const [method, path] = route.split(' ') as [string, string];
  return doc.paths[`${API_PREFIX}${path.replace(/:(\w+)/g, '{$1}')}`]?.[method.toLowerCase()];
}

function allApiOperations(): [string, Operation][] {
  return documentedRoutes(doc).map((route) => [route, operation(route) as Operation]);
}

/** A request body's shapes: its alternatives when it is one of several, else itself. */
function alternatives(schema: Schema | undefined): Schema[] {
  if (!schema) return [];
  return schema.anyOf ?? schema.oneOf ?? [schema];
}

describe('the OpenAPI document', () => {
  it('when it is fetched, then it is OpenAPI 3.1 JSON with a title and a version', async () => {
    const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(() => JSON.parse(res.body)).not.toThrow();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
  });

  it('when a validator checks it against the OpenAPI 3.1 specification, then it is valid', async () => {
    // validate() dereferences in place, so it gets its own copy.
    const validated = await SwaggerParser.validate(structuredClone(doc) as never);
    expect(validated.info.title).toBe(doc.info.title);
  });

  it('when its /api/v1 operations are listed, then they are exactly the implemented routes of API.md', () => {
    expect(documentedRoutes(doc)).toEqual(Object.keys(CONTRACT).sort());
  });

  it('when compared with the routes the app registered, then every /api/v1 route but the docs is documented', () => {
    const real = apiRoutes(routes).filter((r) => r !== 'GET /openapi.json' && r !== 'GET /docs');
    expect(real).toEqual(documentedRoutes(doc));
    for (const route of real) {
      const [method, path] = route.split(' ') as [string, string];
      expect(app.hasRoute({ method: method as 'GET', url: `${API_PREFIX}${path}` }), route).toBe(true);
    }
  });

  it.each(Object.entries(CONTRACT))(
    'when %s is documented, then its request schemas are there',
    (route, spec) => {
      const op = operation(route);
      expect(op, route).toBeDefined();
      if (!op) return;
      const params = op.parameters ?? [];
      const inPath = params.filter((p) => p.in === 'path');
      const inQuery = params.filter((p) => p.in === 'query');
      const inHeader = params.filter((p) => p.in === 'header');
      expect(inPath.map((p) => p.name).sort()).toEqual([...(spec.path ?? [])].sort());
      for (const p of inPath) {
        expect(p.required).toBe(true);
        expect(p.schema).toMatchObject({ type: 'string', format: 'uuid' });
      }
      expect(inQuery.map((p) => p.name).sort()).toEqual([...(spec.query ?? [])].sort());
      for (const p of inQuery) expect(p.schema.type, p.name).toBeTruthy();
      const required = inHeader.filter((p) => p.required);
      const optional = inHeader.filter((p) => !p.required);
      expect(required.map((p) => p.name.toLowerCase()).sort()).toEqual([...(spec.header ?? [])].sort());
      expect(optional.map((p) => p.name.toLowerCase()).sort()).toEqual(
        [...(spec.optionalHeader ?? [])].sort(),
      );
      for (const p of required) expect(p.schema).toMatchObject({ type: 'string', minLength: 1 });
      for (const p of optional) expect(p.schema.type, p.name).toBe('string');
      if (spec.body) {
        const schema = op.requestBody?.content['application/json']?.schema;
        expect(op.requestBody?.required).toBe(true);
        const shapes = (Array.isArray(spec.body[0]) ? spec.body : [spec.body]) as string[][];
        const documented = alternatives(schema);
        expect(documented).toHaveLength(shapes.length);
        for (const [i, shape] of shapes.entries()) {
          expect(documented[i]).toMatchObject({ type: 'object', additionalProperties: false });
          expect([...(documented[i]?.required ?? [])].sort()).toEqual([...shape].sort());
        }
      } else if (spec.rawBody) {
        expect(op.requestBody?.required).toBe(true);
        expect(Object.keys(op.requestBody?.content ?? {}).sort()).toEqual([...spec.rawBody].sort());
      } else {
        expect(op.requestBody).toBeUndefined();
      }
    },
  );

  it.each(Object.entries(CONTRACT))(
    'when %s is documented, then its success and error responses have schemas',
    (route, spec) => {
      const op = operation(route) as Operation;
      for (const status of [spec.success, ...(spec.alsoSuccess ?? [])]) {
        const success = op.responses[String(status)];
        expect(success, `${route} ${status}`).toBeDefined();
        if (status === 204) {
          expect(success?.content).toBeUndefined();
        } else {
          const media = spec.media ?? 'application/json';
          expect(Object.keys(success?.content ?? {}), `${route} ${status}`).toContain(media);
          expect(success?.content?.[media]?.schema, `${route} ${status} ${media}`).toBeTruthy();
        }
      }
      // A conditional GET documents its 304, which has no body; no other route has one.
      const notModified = op.responses['304'];
      expect(Boolean(notModified), `${route} 304`).toBe(Boolean(spec.notModified));
      expect(notModified?.content, `${route} 304`).toBeUndefined();
      for (const status of spec.errors) {
        const response = op.responses[String(status)];
        expect(response, `${route} ${status}`).toBeDefined();
        const schema = Object.values(response?.content ?? {})[0]?.schema;
        expect(schema?.required, `${route} ${status}`).toEqual(expect.arrayContaining(PROBLEM_FIELDS));
      }
      // Routes that need a token say so, with a scheme the document defines.
      expect(Boolean(op.security?.length)).toBe(spec.auth);
      for (const requirement of op.security ?? []) {
        for (const scheme of Object.keys(requirement))
          expect(doc.components?.securitySchemes).toHaveProperty(scheme);
      }
    },
  );

  it('when any /api/v1 operation is documented, then it lists the errors its inputs and security can cause', () => {
    // A rule rather than a table, so that a route added later is held to it too.
    for (const [route, op] of allApiOperations()) {
      const statuses = Object.keys(op.responses);
      const needs = (status: number, why: boolean) => {
        if (why) expect(statuses, `${route} should document ${status}`).toContain(String(status));
      };
      const params = op.parameters ?? [];
      needs(400, Boolean(op.requestBody) || params.length > 0);
      needs(413, Boolean(op.requestBody));
      needs(
        404,
        params.some((p) => p.in === 'path'),
      );
      needs(401, Boolean(op.security?.length));
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        `${route} has a 2xx`,
      ).toBe(true);
    }
  });

  it('when the purchase bodies are documented, then seatIds, quantity, payment and Idempotency-Key carry their limits', () => {
    const bodyOf = (route: string) =>
      alternatives(operation(route)?.requestBody?.content['application/json']?.schema);
    const [bySeats, byQuantity] = bodyOf('POST /events/:eventId/holds');
    expect(bySeats?.properties?.seatIds).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: 10,
      uniqueItems: true,
      items: { type: 'string', format: 'uuid' },
    });
    expect(byQuantity?.properties?.quantity).toMatchObject({ type: 'integer', minimum: 1, maximum: 10 });
    const payments = [...bodyOf('POST /holds/:holdId/order'), ...bodyOf('POST /events/:eventId/orders')].map(
      (shape) => shape.properties?.payment,
    );
    expect(payments).toHaveLength(3);
    for (const payment of payments) {
      expect(payment).toMatchObject({ type: 'object', additionalProperties: false });
      expect([...(payment?.required ?? [])].sort()).toEqual(['card', 'method']);
      // method is the one literal 'test': a const, or an enum of one.
      const method = payment?.properties?.method;
      expect(method?.const === undefined ? method?.enum : [method.const]).toEqual(['test']);
      expect(payment?.properties?.card).toMatchObject({ type: 'string', pattern: expect.any(String) });
    }
    for (const route of ['POST /holds/:holdId/order', 'POST /events/:eventId/orders']) {
      const key = operation(route)?.parameters?.find((p) => p.name === 'idempotency-key');
      expect(key?.schema, route).toMatchObject({ type: 'string', minLength: 1, maxLength: 255 });
    }
  });

  // Regression, fixed (src/schemas/common.ts, problems()): error responses are documented under
  // application/json, but the service sends them as application/problem+json (API.md, Errors),
  // so the document contradicts the contract.
  it('when an error response is documented, then its media type is application/problem+json', () => {
    for (const [route, op] of allApiOperations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect(Object.keys(response.content ?? {}), `${route} ${status}`).toEqual([
          'application/problem+json',
        ]);
      }
    }
  });
});

describe('real answers match the document', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);

  function expectMatches(route: string, status: number, body: unknown) {
    const response = (operation(route) as Operation).responses[String(status)];
    const schema = Object.values(response?.content ?? {})[0]?.schema;
    expect(schema, `${route} documents ${status}`).toBeDefined();
    const validate = ajv.compile(schema as object);
    expect(validate(body), `${route} ${status}: ${JSON.stringify(validate.errors)}`).toBe(true);
  }

  let admin: TestUser;
  let baseUrl: string;
  beforeAll(async () => {
    admin = await createAdmin(app);
    baseUrl = await listenLocally(app);
  });

  /** app.inject for a purchase route, with an Idempotency-Key unless `key` is null. */
  function call(
    user: TestUser | null,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: unknown,
    key: string | null = null,
  ) {
    return app.inject({
      method,
      url: `${API_PREFIX}${url}`,
      headers: { ...(user ? bearer(user) : {}), ...(key === null ? {} : { 'idempotency-key': key }) },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  it('when each documented route answers successfully, then the body matches its documented schema', async () => {
    const customer = await signup(app, 'openapi');
    const event = await createEvent(app, admin);
    const calls: [string, string, Record<string, unknown> | undefined, TestUser | null][] = [
      [
        'POST /auth/signup',
        '/auth/signup',
        { email: uniqueEmail('doc'), password: 'long enough', name: 'Doc' },
        null,
      ],
      ['POST /auth/login', '/auth/login', { email: customer.email, password: customer.password }, null],
      ['GET /me', '/me', undefined, customer],
      ['GET /events', '/events?limit=5', undefined, null],
      ['GET /events/:eventId', `/events/${event.id}`, undefined, null],
      ['GET /events/:eventId/seats', `/events/${event.id}/seats`, undefined, null],
      ['POST /admin/events', '/admin/events', { ...eventLayout(), title: `doc-${event.id}` }, admin],
      ['PATCH /admin/events/:eventId', `/admin/events/${event.id}`, { status: 'closed' }, admin],
      ['GET /admin/events', '/admin/events', undefined, admin],
      ['GET /admin/events/:eventId/orders', `/admin/events/${event.id}/orders`, undefined, admin],
      ['GET /admin/audit', '/admin/audit?limit=20', undefined, admin],
      [
        'POST /admin/users',
        '/admin/users',
        { email: uniqueEmail('doc'), password: 'long enough', name: 'D', role: 'customer' },
        admin,
      ],
    ];
    for (const [route, url, payload, user] of calls) {
      const spec = CONTRACT[route] as (typeof CONTRACT)[string];
      const res = await app.inject({
        method: route.split(' ')[0] as 'GET',
        url: `${API_PREFIX}${url}`,
        headers: user ? bearer(user) : {},
        ...(payload ? { payload } : {}),
      });
      expect(res.statusCode, `${route}: ${res.body}`).toBe(spec.success);
      expectMatches(route, spec.success, res.json());
    }
    // The 204 of the password change has no body at all.
    const change = await app.inject({
      method: 'POST',
      url: `${API_PREFIX}/me/password`,
      headers: bearer(customer),
      payload: { currentPassword: customer.password, newPassword: 'another long secret' },
    });
    expect(change.statusCode).toBe(204);
    expect(change.body).toBe('');
    // Neither has the 304 of a seat map revalidated with its ETag.
    const seats = `${API_PREFIX}/events/${event.id}/seats`;
    const etag = String((await app.inject({ method: 'GET', url: seats })).headers.etag);
    const revalidated = await app.inject({ method: 'GET', url: seats, headers: { 'if-none-match': etag } });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
  });

  it('when the hold and order routes answer successfully, then each body matches its documented schema', async () => {
    const customer = await signup(app, 'openapi-buyer');
    const event = await createEvent(app, admin);
    const seats = (await seatsOf(app, event.id)).seats;
    const answer = async (route: string, status: number, res: Awaited<ReturnType<typeof call>>) => {
      expect(res.statusCode, `${route}: ${res.body}`).toBe(status);
      if (status === 204) expect(res.body).toBe('');
      else expectMatches(route, status, res.json());
      return status === 204 ? undefined : res.json();
    };

    const first = await answer(
      'POST /events/:eventId/holds',
      201,
      await call(customer, 'POST', `/events/${event.id}/holds`, { quantity: 2 }),
    );
    await answer('GET /holds/:holdId', 200, await call(customer, 'GET', `/holds/${first.id}`));
    await answer('DELETE /holds/:holdId', 204, await call(customer, 'DELETE', `/holds/${first.id}`));

    const second = await answer(
      'POST /events/:eventId/holds',
      201,
      await call(customer, 'POST', `/events/${event.id}/holds`, { seatIds: [seats[0]?.id, seats[1]?.id] }),
    );
    const key = randomUUID();
    const order = { payment: GOOD_CARD };
    const bought = await answer(
      'POST /holds/:holdId/order',
      201,
      await call(customer, 'POST', `/holds/${second.id}/order`, order, key),
    );
    await answer(
      'POST /holds/:holdId/order',
      200,
      await call(customer, 'POST', `/holds/${second.id}/order`, order, key),
    );

    const buyKey = randomUUID();
    const buy = { quantity: 1, payment: GOOD_CARD };
    await answer(
      'POST /events/:eventId/orders',
      201,
      await call(customer, 'POST', `/events/${event.id}/orders`, buy, buyKey),
    );
    await answer(
      'POST /events/:eventId/orders',
      200,
      await call(customer, 'POST', `/events/${event.id}/orders`, buy, buyKey),
    );

    const list = await answer('GET /orders', 200, await call(customer, 'GET', '/orders'));
    expect(list.items).toHaveLength(2);
    await answer('GET /orders/:orderId', 200, await call(customer, 'GET', `/orders/${bought.id}`));
  });

  it('when the seat stream opens, then it answers with a documented status and media type', async () => {
    const event = await createEvent(app, admin);
    const res = await openStream(baseUrl, `${API_PREFIX}/events/${event.id}/stream`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^event: ready$/m);
    const media = res.headers.get('content-type')?.split(';')[0] ?? '';
    const documented = (operation('GET /events/:eventId/stream') as Operation).responses['200'];
    expect(Object.keys(documented?.content ?? {}), 'the documented media types of its 200').toContain(media);
  });

  it('when the seat stream refuses a request, then the problem matches the documented error schema', async () => {
    for (const [status, id] of [
      [404, randomUUID()],
      [400, 'not-a-uuid'],
    ] as const) {
      const res = await openStream(baseUrl, `${API_PREFIX}/events/${id}/stream`);
      expect(res.status, res.body).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expectMatches('GET /events/:eventId/stream', status, JSON.parse(res.body));
    }
  });

  it('when the hold and order routes answer with errors, then each problem matches the documented error schema', async () => {
    const customer = await signup(app, 'openapi-refused');
    const rival = await signup(app, 'openapi-rival');
    const event = await createEvent(app, admin);
    const seats = (await seatsOf(app, event.id)).seats;
    const missing = randomUUID();
    const held = await call(customer, 'POST', `/events/${event.id}/holds`, { seatIds: [seats[0]?.id] });
    expect(held.statusCode, held.body).toBe(201);
    const holdId = held.json().id as string;
    const key = randomUUID();
    const calls: [string, number, () => ReturnType<typeof call>][] = [
      [
        'POST /events/:eventId/holds',
        400,
        () => call(customer, 'POST', `/events/${event.id}/holds`, { quantity: 0 }),
      ],
      [
        'POST /events/:eventId/holds',
        401,
        () => call(null, 'POST', `/events/${event.id}/holds`, { quantity: 1 }),
      ],
      [
        'POST /events/:eventId/holds',
        404,
        () => call(customer, 'POST', `/events/${missing}/holds`, { quantity: 1 }),
      ],
      [
        'POST /events/:eventId/holds',
        409,
        () => call(rival, 'POST', `/events/${event.id}/holds`, { seatIds: [seats[0]?.id] }),
      ],
      [
        'POST /events/:eventId/holds',
        413,
        () =>
          call(customer, 'POST', `/events/${event.id}/holds`, { quantity: 1, pad: 'x'.repeat(300 * 1024) }),
      ],
      ['GET /holds/:holdId', 400, () => call(customer, 'GET', '/holds/not-a-uuid')],
      ['GET /holds/:holdId', 401, () => call(null, 'GET', `/holds/${holdId}`)],
      ['GET /holds/:holdId', 404, () => call(rival, 'GET', `/holds/${holdId}`)],
      ['DELETE /holds/:holdId', 404, () => call(customer, 'DELETE', `/holds/${missing}`)],
      [
        'POST /holds/:holdId/order',
        400,
        () => call(customer, 'POST', `/holds/${holdId}/order`, { payment: GOOD_CARD }),
      ],
      [
        'POST /holds/:holdId/order',
        402,
        () => call(customer, 'POST', `/holds/${holdId}/order`, { payment: DECLINED_CARD }, randomUUID()),
      ],
      [
        'POST /holds/:holdId/order',
        404,
        () => call(customer, 'POST', `/holds/${missing}/order`, { payment: GOOD_CARD }, key),
      ],
      [
        'POST /holds/:holdId/order',
        201,
        () => call(customer, 'POST', `/holds/${holdId}/order`, { payment: GOOD_CARD }, key),
      ],
      // The same key for another purchase.
      [
        'POST /holds/:holdId/order',
        409,
        () =>
          call(
            customer,
            'POST',
            `/holds/${holdId}/order`,
            { payment: { ...GOOD_CARD, card: '5555555555554444' } },
            key,
          ),
      ],
      // A hold that has been bought cannot be given up.
      ['DELETE /holds/:holdId', 409, () => call(customer, 'DELETE', `/holds/${holdId}`)],
      [
        'POST /events/:eventId/orders',
        402,
        () =>
          call(
            customer,
            'POST',
            `/events/${event.id}/orders`,
            { quantity: 1, payment: DECLINED_CARD },
            randomUUID(),
          ),
      ],
      [
        'POST /events/:eventId/orders',
        409,
        () =>
          call(
            rival,
            'POST',
            `/events/${event.id}/orders`,
            { seatIds: [seats[0]?.id], payment: GOOD_CARD },
            randomUUID(),
          ),
      ],
      ['GET /orders', 401, () => call(null, 'GET', '/orders')],
      ['GET /orders/:orderId', 400, () => call(customer, 'GET', '/orders/12345')],
      ['GET /orders/:orderId', 404, () => call(customer, 'GET', `/orders/${missing}`)],
    ];
    for (const [route, status, send] of calls) {
      const res = await send();
      expect(res.statusCode, `${route}: ${res.body}`).toBe(status);
      expectMatches(route, status, res.json());
    }
  });

  it('when routes answer with errors, then each problem matches the documented error schema', async () => {
    const customer = await signup(app, 'openapi-errors');
    const missing = '00000000-0000-4000-8000-000000000000';
    const calls: [string, number, string, string, unknown, TestUser | null][] = [
      ['GET /events/:eventId', 404, 'GET', `/events/${missing}`, undefined, null],
      ['GET /events/:eventId', 400, 'GET', '/events/not-a-uuid', undefined, null],
      ['GET /me', 401, 'GET', '/me', undefined, null],
      ['GET /admin/events', 403, 'GET', '/admin/events', undefined, customer],
      [
        'POST /auth/signup',
        409,
        'POST',
        '/auth/signup',
        { email: customer.email, password: 'long enough', name: 'X' },
        null,
      ],
      [
        'POST /auth/login',
        401,
        'POST',
        '/auth/login',
        { email: customer.email, password: 'wrong password' },
        null,
      ],
      [
        'POST /auth/login',
        413,
        'POST',
        '/auth/login',
        { email: customer.email, password: 'x'.repeat(300 * 1024) },
        null,
      ],
    ];
    for (const [route, status, method, url, payload, user] of calls) {
      const res = await app.inject({
        method: method as 'GET',
        url: `${API_PREFIX}${url}`,
        headers: user ? bearer(user) : {},
        ...(payload ? { payload: payload as Record<string, unknown> } : {}),
      });
      expect(res.statusCode, `${route}: ${res.body}`).toBe(status);
      expectMatches(route, status, res.json());
    }
  });

  it('when the waiting room answers, then its states and refusals match the document', async () => {
    const customer = await signup(app, 'openapi-queue');
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const [room, notYet] = [
      await createEvent(app, admin, { waitingRoom: { enabled: true, admitPerMinute: 60 } }),
      await createEvent(app, admin, { salesStartAt: later }),
    ];
    const queue = `/events/${room.id}/queue`;
    expectMatches('GET /events/:eventId/queue', 404, (await call(customer, 'GET', queue)).json());
    const joined = await call(customer, 'POST', queue);
    expect(joined.statusCode, joined.body).toBe(200);
    expectMatches('POST /events/:eventId/queue', 200, joined.json());
    expectMatches('GET /events/:eventId/queue', 200, (await call(customer, 'GET', queue)).json());
    const event = await app.inject({ method: 'GET', url: `${API_PREFIX}/events/${room.id}` });
    expectMatches('GET /events/:eventId', 200, event.json());
    const refusals: [string, number, Awaited<ReturnType<typeof call>>][] = [
      [
        'POST /events/:eventId/holds',
        403,
        await call(customer, 'POST', `/events/${room.id}/holds`, { quantity: 1 }),
      ],
      [
        'POST /events/:eventId/orders',
        403,
        await call(customer, 'POST', `/events/${room.id}/orders`, { quantity: 1, payment: GOOD_CARD }, 'k-1'),
      ],
      [
        'POST /events/:eventId/holds',
        409,
        await call(customer, 'POST', `/events/${notYet.id}/holds`, { quantity: 1 }),
      ],
    ];
    for (const [route, status, res] of refusals) {
      expect(res.statusCode, `${route}: ${res.body}`).toBe(status);
      expectMatches(route, status, res.json());
    }
  });
});

function eventLayout() {
  return {
    description: 'doc',
    venue: 'Doc Hall',
    startsAt: new Date(Date.now() + 86400_000).toISOString(),
    currency: 'EUR',
    layout: { sections: [{ name: 'A', rows: 1, seatsPerRow: 2, priceCents: 100 }] },
  };
}

describe('the docs page', () => {
  it('when /api/v1/docs is opened, then it answers 200 HTML (after any redirect)', async () => {
    let url = `${API_PREFIX}/docs`;
    let res = await app.inject({ method: 'GET', url });
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
      url = new URL(String(res.headers.location), `http://localhost${url}`).pathname;
      res = await app.inject({ method: 'GET', url });
    }
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<html/i);
    expect(res.body).toMatch(/swagger/i);
  });

  it('when the docs page loads its document, then it is the same as /api/v1/openapi.json', async () => {
    const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/docs/json` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(doc);
  });

  it('when the docs page asks for its static assets, then they are served', async () => {
    const res = await app.inject({ method: 'GET', url: `${API_PREFIX}/docs/static/swagger-initializer.js` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('SwaggerUIBundle');
  });
});

// A sanity check on the helper the tests above rely on.
describe('documentedRoutes', () => {
  it('when a document has /api/v1 and other paths, then it lists only the /api/v1 operations, as Fastify routes', () => {
    const sample = {
      paths: {
        '/healthz': { get: {} },
        '/api/v1/events/{eventId}': { get: {}, parameters: [] },
        '/api/v1/admin/events/{eventId}': { patch: {}, summary: 'x' },
      },
    };
    expect(documentedRoutes(sample)).toEqual(['GET /events/:eventId', 'PATCH /admin/events/:eventId']);
    expect(HTTP_METHODS).toContain('patch');
  });
});
