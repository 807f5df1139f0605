// The seat streams a replica keeps open are bounded (SEAT_STREAMS_MAX).
import { buildTestApp, createEvent } from '@tickets/testkit/app';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/processes.ts';
import { admin, useTwoReplicas } from './support.ts';

useTwoReplicas();

describe('seat streams per replica', () => {
  /** Opens a seat stream and keeps it open until close(); resolves once `ready` arrived, or with the refusal. */
  async function openStream(baseUrl: string, eventId: string) {
    const controller = new AbortController();
    const res = await fetch(`${baseUrl}/api/v1/events/${eventId}/stream`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (res.status === 200) {
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while (!text.includes('event: ready')) text += new TextDecoder().decode((await reader.read()).value);
    }
    return { res, body: res.status === 200 ? '' : await res.text(), close: () => controller.abort() };
  }

  it('when a replica has SEAT_STREAMS_MAX open, then the next stream is 503 problem+json with Retry-After until one closes', async () => {
    const app = await buildTestApp({ seatStreamsMax: 2, replicaId: 'limits-streams' });
    try {
      const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      const event = await createEvent(app, admin);
      const first = await openStream(baseUrl, event.id);
      const second = await openStream(baseUrl, event.id);
      expect([first.res.status, second.res.status]).toEqual([200, 200]);
      const refused = await openStream(baseUrl, event.id);
      expect(refused.res.status).toBe(503);
      expect(refused.res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.res.headers.get('retry-after')).toBe('1');
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'UNAVAILABLE', status: 503 });
      first.close();
      await waitFor('the closed stream to be let go', async () => {
        const open = await app.metrics.sseSubscribers.get();
        return open.values[0]?.value === 1;
      });
      const again = await openStream(baseUrl, event.id);
      expect(again.res.status).toBe(200);
      again.close();
      second.close();
    } finally {
      await app.close();
    }
  });
});
