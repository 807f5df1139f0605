import { Type } from 'typebox';
import { DateTime, Text } from './common.ts';

export const AuditEntry = Type.Object({
  id: Type.String({ description: 'position in the log; newer entries have larger ids' }),
  at: DateTime,
  replica: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  subject: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
});

export const AuditPage = Type.Object({
  items: Type.Array(AuditEntry),
  nextBefore: Type.Union([Type.String(), Type.Null()], {
    description: 'pass as `before` to read the next (older) page; null at the end',
  }),
});

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    before: Type.Optional(
      Text({ maxLength: 40, description: 'an entry id or an ISO timestamp; only older entries' }),
    ),
  },
  { additionalProperties: false },
);
