import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuditPage, AuditQuery } from '@tickets/contract/audit';
import { problems } from '@tickets/contract/common';
import { listAudit } from '../../domain/audit/list.ts';

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/admin/audit',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags: ['admin'],
        security: [{ bearer: [] }],
        summary: 'The operation log, newest first',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...problems(400, 401, 403) },
      },
    },
    async (request) =>
      listAudit(app.domain, { limit: request.query.limit ?? 50, before: request.query.before }),
  );
};

export default auditRoutes;
