import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listAudit } from '../../domain/audit/list.ts';
import { AuditPage, AuditQuery } from '../../schemas/audit.ts';
import { problems } from '../../schemas/common.ts';

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
