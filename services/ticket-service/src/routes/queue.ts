// An event's waiting room: join it, then ask where you stand until admitted
// (domain/waiting-room; README, "Waiting room").
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { EventParams, problems } from '@tickets/contract/common';
import { QueueState } from '@tickets/contract/waiting-room';
import { joinQueue } from '../domain/waiting-room/join-queue.ts';
import { queueState } from '../domain/waiting-room/queue-state.ts';

const customer = { tags: ['waiting room'], security: [{ bearer: [] }] };

const queue: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/events/:eventId/queue',
    {
      onRequest: app.requireUser,
      schema: {
        ...customer,
        summary: "Join an event's waiting room (idempotent)",
        description:
          'Joining again while waiting or admitted changes nothing; after the admission ran out (`expired`) it queues anew, at the back. Everyone who joins before `salesStartAt` is put in a random order at the opening; later arrivals queue in order of arrival. 404 when the event has no waiting room.',
        params: EventParams,
        response: { 200: QueueState, ...problems(400, 401, 404, 503) },
      },
    },
    async (request) => {
      await joinQueue(app.waitingRoom, request.params.eventId, request.user.id);
      return queueState(app.waitingRoom, request.params.eventId, request.user.id);
    },
  );

  app.get(
    '/events/:eventId/queue',
    {
      onRequest: app.requireUser,
      schema: {
        ...customer,
        summary: 'Where you stand in the waiting room; the Admission-Token once admitted',
        description:
          'Poll every few seconds. 404 when you have not joined, or the event has no waiting room.',
        params: EventParams,
        response: { 200: QueueState, ...problems(400, 401, 404, 503) },
      },
    },
    async (request) => queueState(app.waitingRoom, request.params.eventId, request.user.id),
  );
};

export default queue;
