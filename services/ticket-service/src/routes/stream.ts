// GET /events/:eventId/stream: the event's seat changes as Server-Sent Events,
// relayed from whichever replica made them. `id` is the seat version, so a client
// that loaded the seat map at version V ignores events with id <= V.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { AppError, notFound } from '../domain/errors.ts';
import { acceptsEventStream } from '../lib/accepts-event-stream.ts';
import type { SeatFeedMessage } from '../lib/seat-feed.ts';

// A client that has this much unsent data, or this many messages queued, is too
// slow: it is disconnected (it may reconnect and reload the seat map) rather
// than allowed to grow this replica's memory without bound.
const MAX_BUFFERED_BYTES = 1 << 20;
const MAX_QUEUED_MESSAGES = 256;

const stream: FastifyPluginAsyncTypebox = async (app) => {
  const open = new Set<FastifyReply>();
  // Streams past the cap check but not yet in `open` (their event is being looked up).
  let opening = 0;
  // Open streams would hold a draining replica open forever: end them first.
  app.addHook('preClose', async () => {
    for (const reply of open) reply.sse.close();
  });

  app.get(
    '/events/:eventId/stream',
    {
      // Negotiated here rather than by @fastify/sse, so that a refusal is a
      // problem+json answer like every other error.
      sse: { kind: 'manual' },
      schema: {
        tags: ['events'],
        summary: 'Live seat changes (text/event-stream, `event: seats`)',
        params: EventParams,
        response: {
          200: {
            description: '`event: ready` once, then `event: seats` with `{version, changes: [{id, status}]}`',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
          ...problems(400, 404, 406, 503),
        },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      if (!acceptsEventStream(request.headers.accept)) {
        throw new AppError('NOT_ACCEPTABLE', 'This endpoint answers text/event-stream only.');
      }
      // Each open stream holds a socket and buffers on this replica: past SEAT_STREAMS_MAX
      // it answers 503, so that a crowd (or a bot) cannot exhaust it; the client
      // retries, and may reach another replica. (The gateway caps streams per address.)
      if (open.size + opening >= app.config.seatStreamsMax) {
        app.metrics.seatStreamsRefused.inc();
        throw new AppError('UNAVAILABLE', 'This replica has no room for another seat stream; retry shortly.');
      }
      opening++;
      let event: { seatVersion: bigint } | null;
      try {
        event = await app.db.event.findUnique({ where: { id: eventId }, select: { seatVersion: true } });
      } finally {
        opening--;
      }
      if (!event) throw notFound('event');
      // The client may have gone while we looked the event up; its close has
      // then already happened, and a subscription now would never end.
      if (!reply.sse.isConnected) return;

      reply.header('x-accel-buffering', 'no');
      reply.header('cache-control', 'no-cache');
      reply.sse.keepAlive();
      let queued = 0;
      const relay = (message: SeatFeedMessage) => {
        if (queued >= MAX_QUEUED_MESSAGES || reply.raw.writableLength > MAX_BUFFERED_BYTES) {
          request.log.info({ eventId }, 'dropping a seat stream that does not keep up');
          // Destroy, not end: ending would wait to flush what it cannot send.
          reply.raw.destroy();
          return;
        }
        queued++;
        reply.sse
          .send({
            id: String(message.version),
            event: 'seats',
            // Who has a seat stays inside the cluster: the stream says only what it is.
            data: {
              version: message.version,
              changes: message.changes.map(({ id, status }) => ({ id, status })),
            },
          })
          .catch(() => reply.sse.close())
          .finally(() => {
            queued--;
          });
      };
      const unsubscribe = app.seatFeed.subscribe(eventId, relay);
      open.add(reply);
      app.metrics.sseSubscribers.inc();
      reply.sse.onClose(() => {
        unsubscribe();
        open.delete(reply);
        app.metrics.sseSubscribers.dec();
      });
      // Tells the client it is subscribed, and from which version on.
      await reply.sse.send({
        event: 'ready',
        data: { eventId, version: Number(event.seatVersion) },
        retry: 2000,
      });
    },
  );
};

export default stream;
