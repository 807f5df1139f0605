// Who may call src/routes/holds.ts: any signed-in buyer, and only on their own holds;
// someone else's hold is as good as missing.
import { randomUUID } from 'node:crypto';
import { bearer, createAdmin, signup } from '@tickets/testkit/app';
import { GOOD_CARD } from '@tickets/testkit/purchase';
import { describe, expect, it } from 'vitest';
import { API_PREFIX } from '../support/routes.ts';
import { app, useAuthorizationApp } from './support/authorization/app.ts';
import { expectNotFound, heldBy, unchangedSince } from './support/authorization/fixtures.ts';
import { itAnswersAsTheRowsAllow } from './support/authorization/matrix.ts';
import { HOLDS_ROWS } from './support/authorization/rows/holds.ts';

useAuthorizationApp();

describe('authorization matrix', () => {
  itAnswersAsTheRowsAllow(HOLDS_ROWS);
});

describe("other buyers' holds and orders", () => {
  it.each(['customer', 'admin'] as const)(
    "when another buyer (%s) reads, releases or buys a customer's hold, then 404 NOT_FOUND and the hold is untouched",
    async (who) => {
      const holder = await signup(app, 'holder');
      const { event, holdId } = await heldBy(holder);
      const unchanged = await unchangedSince(event.id);
      const other = who === 'admin' ? await createAdmin(app) : await signup(app, 'other');
      const key = randomUUID();
      expectNotFound(
        await app.inject({ method: 'GET', url: `${API_PREFIX}/holds/${holdId}`, headers: bearer(other) }),
      );
      expectNotFound(
        await app.inject({ method: 'DELETE', url: `${API_PREFIX}/holds/${holdId}`, headers: bearer(other) }),
      );
      expectNotFound(
        await app.inject({
          method: 'POST',
          url: `${API_PREFIX}/holds/${holdId}/order`,
          headers: { ...bearer(other), 'idempotency-key': key },
          payload: { payment: GOOD_CARD },
        }),
      );
      await unchanged();
      // The refused purchase leaves no key behind: a retry would be judged afresh.
      expect(await app.db.idempotencyRecord.count({ where: { userId: other.id } })).toBe(0);
      // And the holder still can.
      const own = await app.inject({
        method: 'GET',
        url: `${API_PREFIX}/holds/${holdId}`,
        headers: bearer(holder),
      });
      expect(own.statusCode, own.body).toBe(200);
    },
  );
});
