import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import { EventImage } from '@tickets/contract/event-image';
import { IMAGE_TYPES, MAX_IMAGE_BYTES, MAX_IMAGE_SIDE } from '@tickets/contract/limits';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.ts';
import { removeEventImage, setEventImage } from '../../domain/events/event-image.ts';
import { actorOf } from '../../plugins/app/domain-context.ts';

const admin = { tags: ['admin'], security: [{ bearer: [] }] };

const adminEventImageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // This plugin's routes take the raw bytes, whatever the Content-Type says: the
  // handler refuses a header that is not an image type (415), and the bytes
  // themselves decide what the image is. The limit applies while reading, so a
  // larger body is refused (413) before it is all in memory.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_IMAGE_BYTES }, (_request, body, done) =>
    done(null, body),
  );

  app.put(
    '/admin/events/:eventId/image',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: "Set the event's image (replaces any)",
        description: `The request body is the image itself: JPEG, PNG or WebP, at most ${MAX_IMAGE_BYTES} bytes, judged from its bytes. It is decoded and encoded again as WebP of at most ${MAX_IMAGE_SIDE}×${MAX_IMAGE_SIDE} pixels without its metadata; the event's imageUrl names the new version.`,
        params: EventParams,
        // Documents the raw body per media type; `{}` accepts the bytes as they are
        // (the parser above hands them over as a Buffer, which the handler judges).
        body: {
          content: Object.fromEntries(
            IMAGE_TYPES.map((type) => [
              type,
              { schema: { description: 'the image file', format: 'binary' } },
            ]),
          ),
        },
        response: { 200: EventImage, ...problems(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => {
      const declared = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (!(IMAGE_TYPES as readonly string[]).includes(declared ?? '')) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', `The body must be ${IMAGE_TYPES.join(', ')}.`);
      }
      const upload = request.body as unknown;
      return setEventImage(app.domain, actorOf(request), request.params.eventId, upload as Buffer);
    },
  );

  app.delete(
    '/admin/events/:eventId/image',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: "Remove the event's image",
        description: 'Removing an image that is not there is harmless.',
        params: EventParams,
        response: {
          204: Type.Null({ description: 'removed (or there was none)' }),
          ...problems(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      await removeEventImage(app.domain, actorOf(request), request.params.eventId);
      return reply.code(204).send(undefined as never);
    },
  );
};

export default adminEventImageRoutes;
