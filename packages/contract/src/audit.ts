import { type Static, Type } from 'typebox';
import { DateTime, Text } from './common.ts';
import { MAX_LENGTH, PAGE_SIZE } from './limits.ts';

export const AuditEntry = Type.Object({
  id: Type.String({ description: 'position in the log; newer entries have larger ids' }),
  at: DateTime,
  replica: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  subject: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditPage = Type.Object({
  items: Type.Array(AuditEntry),
  nextBefore: Type.Union([Type.String(), Type.Null()], {
    description: 'pass as `before` to read the next (older) page; null at the end',
  }),
});
export type AuditPage = Static<typeof AuditPage>;

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: PAGE_SIZE.audit.max, default: PAGE_SIZE.audit.default }),
    ),
    before: Type.Optional(
      Text({
        maxLength: MAX_LENGTH.auditBefore,
        description: 'an entry id or an ISO timestamp; only older entries',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;
