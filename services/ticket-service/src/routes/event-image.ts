import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import { Type } from 'typebox';
import { readEventImage } from '../domain/events/event-image.ts';
import { IMAGE_VERSION_LENGTH } from '../domain/events/event-image-url.ts';
import { ifNoneMatch } from '../lib/if-none-match.ts';

const ImageHeaders = {
  etag: Type.String({ description: "the image's content hash" }),
  'cache-control': Type.String(),
};

// A versioned URL (the event's imageUrl) names bytes that never change: kept for
// a year by browsers and the gateway, never revalidated. Any other URL of the
// image (no `v`, or an older one) may show another image tomorrow: revalidated
// on every use (the ETag makes that a 304), and not stored by the gateway.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const eventImageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/events/:eventId/image',
    {
      schema: {
        tags: ['events'],
        summary: "The event's image (WebP)",
        description:
          "Use the event's imageUrl: with its `v`, the answer may be kept for good. Carries a strong ETag (the content hash); If-None-Match naming it is answered 304 without a body.",
        params: EventParams,
        querystring: Type.Object(
          { v: Type.Optional(Type.String({ maxLength: 64, description: 'the version in imageUrl' })) },
          { additionalProperties: false },
        ),
        response: {
          200: {
            description: 'the image',
            headers: ImageHeaders,
            content: { 'image/webp': { schema: Type.String({ format: 'binary' }) } },
          },
          304: Type.Null({
            description: 'Not Modified: the image If-None-Match names is current',
            headers: ImageHeaders,
          }),
          ...problems(400, 404),
        },
      },
    },
    async (request, reply) => {
      const header = request.headers['if-none-match'];
      const image = await readEventImage(app.domain, request.params.eventId, (etag) =>
        ifNoneMatch(header, etag),
      );
      const current = request.query.v === image.hash.slice(0, IMAGE_VERSION_LENGTH);
      reply.header('etag', image.etag).header('cache-control', current ? IMMUTABLE : REVALIDATE);
      if (!image.data) return reply.code(304).send(undefined as never);
      return reply.type(image.contentType).send(Buffer.from(image.data) as never);
    },
  );
};

export default eventImageRoutes;
